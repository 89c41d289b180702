import type { StructDescriptor } from "../../descriptor.js";
import { checkBool } from "../../codec/scalar-checks.js";
import {
  checkStructValue,
  missingRequired,
  shapeOf,
  structFromSlots,
  unionCountError,
  type FieldShape,
  type StructShape,
} from "../../codec/struct-shape.js";
import { ValueError, rethrowWithin } from "../../codec/value-error.js";
import type { ThriftInput } from "./thrift-input.js";
import type { ThriftOutput } from "./thrift-output.js";
import { thriftTypeOf, type ThriftValueType } from "./thrift-value-type.js";
import { TType } from "./thrift-wire-types.js";

/** A field with its Thrift id and type worked out once. */
export interface FieldPlan {
  readonly shape: FieldShape;
  readonly name: string;
  readonly id: number;
  readonly ttype: number;
  readonly type: ThriftValueType;
}

export interface StructPlan {
  readonly shape: StructShape;
  readonly fields: readonly FieldPlan[];
  /** Fields by id for ids 0..SMALL_IDS-1: an array index is cheaper than a Map lookup per field. */
  readonly bySmallId: readonly (FieldPlan | undefined)[];
  /** The others (large and negative ids). */
  readonly byOtherId: ReadonlyMap<number, FieldPlan>;
}

const SMALL_IDS = 128;
const plans = new WeakMap<StructDescriptor, StructPlan>();

export function structPlanOf(struct: StructDescriptor): StructPlan {
  let plan = plans.get(struct);
  if (plan === undefined) {
    const shape = shapeOf(struct);
    const fields = shape.fields.map((field): FieldPlan => {
      const id = field.descriptor.id;
      if (!Number.isInteger(id) || id < -32768 || id > 32767) {
        throw new ValueError(`field ${field.descriptor.name} of ${struct.name} has id ${id}, which does not fit Thrift's i16`);
      }
      const type = thriftTypeOf(field.descriptor.type);
      return { shape: field, name: field.descriptor.name, id, ttype: type.ttype, type };
    });
    const bySmallId = new Array<FieldPlan | undefined>(SMALL_IDS).fill(undefined);
    const byOtherId = new Map<number, FieldPlan>();
    for (const field of fields) {
      if (field.id >= 0 && field.id < SMALL_IDS) bySmallId[field.id] = field;
      else byOtherId.set(field.id, field);
    }
    plan = { shape, fields, bySmallId, byOtherId };
    plans.set(struct, plan);
  }
  return plan;
}

export function fieldById(plan: StructPlan, id: number): FieldPlan | undefined {
  return id >= 0 && id < SMALL_IDS ? plan.bySmallId[id] : plan.byOtherId.get(id);
}

/** Writes one field (never null or undefined): its header, then its value. */
export function writeField(out: ThriftOutput, field: FieldPlan, value: unknown): void {
  try {
    if (field.ttype === TType.BOOL) {
      out.boolField(field.id, checkBool(value));
    } else {
      out.fieldBegin(field.ttype, field.id);
      field.type.write(out, value);
    }
  } catch (error) {
    rethrowWithin(error, field.name);
  }
}

/** Writes a struct, union or exception value. */
export function writeStruct(out: ThriftOutput, struct: StructDescriptor, value: unknown): void {
  const plan = structPlanOf(struct);
  const object = checkStructValue(plan.shape, value);
  out.structBegin();
  let count = 0;
  for (const field of plan.fields) {
    const fieldValue = field.shape.read(object);
    if (fieldValue === undefined) {
      if (field.shape.required) throw missingRequired(field.shape);
      continue;
    }
    writeField(out, field, fieldValue);
    count++;
  }
  if (plan.shape.isUnion && count !== 1) throw unionCountError(plan.shape, count);
  out.structEnd();
}

/** Writes a method's arguments (IDL order) as its `_args` struct. */
export function writeArgs(out: ThriftOutput, struct: StructDescriptor, args: readonly unknown[]): void {
  const plan = structPlanOf(struct);
  out.structBegin();
  for (const field of plan.fields) {
    const arg = args[field.shape.index];
    if (arg === undefined || arg === null) {
      if (field.shape.required) throw missingRequired(field.shape);
      continue;
    }
    writeField(out, field, arg);
  }
  out.structEnd();
}

/**
 * Reads a struct's fields into slots (index = field position). Unknown fields,
 * and fields whose type is not the declared one, are skipped, as Apache Thrift's
 * generated code does.
 */
export function readStructSlots(input: ThriftInput, struct: StructDescriptor): unknown[] {
  const plan = structPlanOf(struct);
  const slots = new Array<unknown>(plan.fields.length);
  input.structBegin();
  for (let type = input.fieldBegin(); type !== TType.STOP; type = input.fieldBegin()) {
    const field = fieldById(plan, input.fieldId);
    if (field === undefined || field.ttype !== type) {
      input.skip(type);
      continue;
    }
    try {
      slots[field.shape.index] = field.type.read(input);
    } catch (error) {
      rethrowWithin(error, field.name);
    }
  }
  input.structEnd();
  return slots;
}

/** Reads a struct, union or exception value (an exception as its generated class). */
export function readStruct(input: ThriftInput, struct: StructDescriptor): unknown {
  return structFromSlots(structPlanOf(struct).shape, readStructSlots(input, struct));
}
