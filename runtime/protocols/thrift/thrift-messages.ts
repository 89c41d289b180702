import type { MethodDescriptor } from "../../descriptor.js";
import type { Outcome } from "../../codec/codec.js";
import { resultShapeOf } from "../../codec/result-shape.js";
import { completeSlots, shapeOf } from "../../codec/struct-shape.js";
import { ValueError } from "../../codec/value-error.js";
import type { ThriftInput } from "./thrift-input.js";
import type { ThriftOutput } from "./thrift-output.js";
import { fieldById, readStructSlots, structPlanOf, writeArgs, writeField } from "./thrift-struct.js";
import { MessageType, TType } from "./thrift-wire-types.js";

// The messages of a Thrift call: a header (name, type, seqid), then the method's
// `_args` struct, its `_result` struct (exactly one field: 0 = success, else a
// declared exception) or a TApplicationException.

/** A call or oneway message: header and `_args` struct. */
export function writeCall(
  out: ThriftOutput,
  name: string,
  type: number,
  seqid: number,
  method: MethodDescriptor,
  args: readonly unknown[],
): void {
  out.messageBegin(name, type, seqid);
  writeArgs(out, method.args, args);
}

/**
 * A reply carrying result field `fieldId` (0 = success) with `value`. A void
 * method's success is an empty result struct, whatever its handler returned.
 */
export function writeReply(out: ThriftOutput, seqid: number, method: MethodDescriptor, fieldId: number, value: unknown): void {
  out.messageBegin(method.name, MessageType.REPLY, seqid);
  const plan = structPlanOf(method.result);
  const field = fieldById(plan, fieldId);
  out.structBegin();
  if (field === undefined) {
    if (fieldId !== 0) throw new ValueError(`the result has no field with id ${fieldId}`);
  } else {
    if (value === undefined || value === null)
      throw new ValueError("no value (a non-void method must return one)").within(field.name);
    writeField(out, field, value);
  }
  out.structEnd();
}

/** An EXCEPTION message: `TApplicationException { 1: string message, 2: i32 type }`. */
export function writeApplicationException(out: ThriftOutput, name: string, seqid: number, type: number, message: string): void {
  out.messageBegin(name, MessageType.EXCEPTION, seqid);
  out.structBegin();
  out.fieldBegin(TType.STRING, 1);
  out.string(message);
  out.fieldBegin(TType.I32, 2);
  out.i32(type);
  out.structEnd();
}

/** A call's arguments in IDL order, absent ones filled with their IDL defaults. */
export function readArgs(input: ThriftInput, method: MethodDescriptor): unknown[] {
  return completeSlots(shapeOf(method.args), readStructSlots(input, method.args));
}

/** The outcome a REPLY message's result struct carries. */
export function readOutcome(input: ThriftInput, method: MethodDescriptor): Outcome {
  const slots = readStructSlots(input, method.result);
  let outcome: Outcome | undefined;
  let count = 0;
  for (const field of structPlanOf(method.result).fields) {
    const value = slots[field.shape.index];
    if (value === undefined) continue;
    count++;
    outcome = { fieldId: field.id, value };
  }
  if (count > 1) throw new ValueError(`the reply carries ${count} outcomes, not one`);
  if (outcome !== undefined) return outcome;
  if (!resultShapeOf(method.result).isVoid) throw new ValueError("the reply carries neither a result nor a declared exception");
  return { fieldId: 0, value: undefined };
}

/** The struct of an EXCEPTION message. */
export function readApplicationException(input: ThriftInput): { type: number; message: string } {
  let message = "";
  let type = 0;
  input.structBegin();
  for (let ttype = input.fieldBegin(); ttype !== TType.STOP; ttype = input.fieldBegin()) {
    if (input.fieldId === 1 && ttype === TType.STRING) message = input.string();
    else if (input.fieldId === 2 && ttype === TType.I32) type = input.i32();
    else input.skip(ttype);
  }
  input.structEnd();
  return { type, message };
}
