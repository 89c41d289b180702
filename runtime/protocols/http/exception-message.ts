import type { MethodDescriptor, StructDescriptor } from "../../descriptor.js";
import { readStructMessage, writeStructFields } from "../../codec/binary-struct.js";
import { Reader, Writer } from "../../codec/protobuf-runtime.js";
import { protoMessageName } from "./rpc-paths.js";

/** A declared exception as a protobuf message: gRPC status details and Connect error details carry it. */
export interface ExceptionMessage {
  /** Fully qualified proto message name, e.g. `calculator.DivideByZero`. */
  readonly typeName: string;
  /** The exception's fields as the bytes of that message (docs/PROTO-MAPPING.md). */
  readonly bytes: Uint8Array;
}

/** The struct of the result field `fieldId` of `method` (a declared exception). */
function exceptionStruct(method: MethodDescriptor, fieldId: number): StructDescriptor {
  const field = method.result.fields.find((f) => f.id === fieldId);
  if (field === undefined || field.type.kind !== "struct") throw new Error(`${method.fullName} declares no exception with field id ${fieldId}`);
  return field.type.struct();
}

/** Encodes an exception `method` declares as result field `fieldId`. Throws if its fields do not fit their IDL types. */
export function exceptionMessage(method: MethodDescriptor, fieldId: number, exception: Error): ExceptionMessage {
  const struct = exceptionStruct(method, fieldId);
  const writer = Writer.create();
  writeStructFields(struct, writer, exception);
  return { typeName: protoMessageName(struct), bytes: writer.finish() };
}

/**
 * The declared exception of `method` named `typeName`, rebuilt from its bytes as
 * an instance of its generated class; undefined if `method` declares no such
 * exception. Throws if the bytes are not that message.
 */
export function exceptionFromMessage(method: MethodDescriptor, typeName: string, bytes: Uint8Array): Error | undefined {
  for (const field of method.result.fields) {
    if (field.id === 0 || field.type.kind !== "struct") continue;
    const struct = field.type.struct();
    if (struct.kind !== "exception" || protoMessageName(struct) !== typeName) continue;
    const reader = Reader.create(bytes);
    return readStructMessage(struct, reader, reader.len) as Error;
  }
  return undefined;
}
