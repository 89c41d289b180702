import type { MethodDescriptor } from "../descriptor.js";
import { CodecId } from "../wire/frame.js";
import { readStructSlots, writeArgsFields, writeOneField } from "./binary-struct.js";
import type { MessageCodec, Outcome } from "./codec.js";
import { Reader, Writer } from "./protobuf-runtime.js";
import { resultShapeOf } from "./result-shape.js";
import { completeSlots, shapeOf } from "./struct-shape.js";
import { ValueError, codecFailure } from "./value-error.js";

/**
 * The compact codec: protobuf bytes exactly as described by the `.proto` the
 * generator writes (docs/PROTO-MAPPING.md), so `protoc --decode` reads any body.
 */
export const binaryCodec: MessageCodec = {
  id: CodecId.Binary,
  name: "binary",

  encodeArgs(method: MethodDescriptor, args: readonly unknown[]): Uint8Array {
    try {
      return withWriter((writer) => writeArgsFields(method.args, writer, args));
    } catch (error) {
      throw codecFailure(method, "encode args", error);
    }
  },

  decodeArgs(method: MethodDescriptor, body: Uint8Array): unknown[] {
    try {
      const reader = readerOf(body);
      return completeSlots(shapeOf(method.args), readStructSlots(method.args, reader, reader.len));
    } catch (error) {
      throw codecFailure(method, "decode args", error);
    }
  },

  encodeOutcome(method: MethodDescriptor, outcome: Outcome): Uint8Array {
    try {
      const field = resultShapeOf(method.result).byId.get(outcome.fieldId);
      if (field === undefined) {
        if (outcome.fieldId !== 0) throw new ValueError(`the result has no field with id ${outcome.fieldId}`);
        // Whatever a void handler returned is dropped, as Thrift does.
        return new Uint8Array(0);
      }
      if (outcome.value === undefined || outcome.value === null) {
        throw new ValueError("no value (a non-void method must return one)").within(field.descriptor.name);
      }
      return withWriter((writer) => writeOneField(method.result, writer, field.index, outcome.value));
    } catch (error) {
      throw codecFailure(method, "encode outcome", error);
    }
  },

  decodeOutcome(method: MethodDescriptor, body: Uint8Array): Outcome {
    try {
      const reader = readerOf(body);
      const slots = readStructSlots(method.result, reader, reader.len);
      let outcome: Outcome | undefined;
      let count = 0;
      for (const field of shapeOf(method.result).fields) {
        const value = slots[field.index];
        if (value === undefined) continue;
        count++;
        outcome = { fieldId: field.descriptor.id, value };
      }
      if (count > 1) throw new ValueError(`the reply carries ${count} outcomes, not one`);
      if (outcome !== undefined) return outcome;
      if (!resultShapeOf(method.result).isVoid) {
        throw new ValueError("the reply carries neither a result nor a declared exception");
      }
      return { fieldId: 0, value: undefined };
    } catch (error) {
      throw codecFailure(method, "decode outcome", error);
    }
  },
};

function readerOf(body: Uint8Array): Reader {
  // A Buffer view (no copy) so protobufjs takes its Buffer fast paths for strings.
  const buffer = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  return Reader.create(buffer);
}

/**
 * Encoding is synchronous, so one writer is reused for every call; its buffer
 * only grows. A writer left half-written by an error, or grown past 1 MiB, is
 * replaced so that neither garbage nor a huge buffer is kept around.
 */
let sharedWriter: Writer | undefined;
const MAX_KEPT_WRITER_BYTES = 1024 * 1024;

function withWriter(write: (writer: Writer) => void): Uint8Array {
  let writer = sharedWriter;
  sharedWriter = undefined; // re-entrant use (a getter that encodes) gets a writer of its own
  if (writer === undefined) writer = Writer.create();
  writer.reset();
  write(writer);
  const bytes = writer.finish();
  if (writer.buf.length <= MAX_KEPT_WRITER_BYTES) {
    writer.reset();
    sharedWriter = writer;
  }
  return bytes;
}
