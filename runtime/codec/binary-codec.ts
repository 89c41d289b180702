import type { MethodDescriptor } from "../descriptor.js";
import type { DeferredBody, DeferredBodyCodec } from "../wire/deferred-body.js";
import { CodecId } from "../wire/frame.js";
import { readStructSlots, writeArgsFields, writeOneField } from "./binary-struct.js";
import type { Outcome } from "./codec.js";
import { Reader, Writer } from "./protobuf-runtime.js";
import { resultShapeOf } from "./result-shape.js";
import { completeSlots, shapeOf } from "./struct-shape.js";
import { ValueError, codecFailure } from "./value-error.js";

/**
 * The compact codec: protobuf bytes exactly as described by the `.proto` the
 * generator writes (docs/PROTO-MAPPING.md), so `protoc --decode` reads any body.
 * Besides MessageCodec it offers the DeferredBody fast path: the body stays in
 * the codec's scratch writer until the frame encoder copies it into the frame.
 */
export const binaryCodec: DeferredBodyCodec = {
  id: CodecId.Binary,
  name: "binary",

  encodeArgs(method: MethodDescriptor, args: readonly unknown[]): Uint8Array {
    return encodeArgsInto(method, args).finish();
  },

  encodeArgsDeferred(method: MethodDescriptor, args: readonly unknown[]): DeferredBody {
    return encodeArgsInto(method, args);
  },

  decodeArgs(method: MethodDescriptor, body: Uint8Array): unknown[] {
    try {
      const reader = takeReader(body);
      const args = completeSlots(shapeOf(method.args), readStructSlots(method.args, reader, reader.len));
      releaseReader(reader);
      return args;
    } catch (error) {
      throw codecFailure(method, "decode args", error);
    }
  },

  encodeOutcome(method: MethodDescriptor, outcome: Outcome): Uint8Array {
    return encodeOutcomeInto(method, outcome).finish();
  },

  encodeOutcomeDeferred(method: MethodDescriptor, outcome: Outcome): DeferredBody {
    return encodeOutcomeInto(method, outcome);
  },

  decodeOutcome(method: MethodDescriptor, body: Uint8Array): Outcome {
    try {
      const reader = takeReader(body);
      const slots = readStructSlots(method.result, reader, reader.len);
      releaseReader(reader);
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

function encodeArgsInto(method: MethodDescriptor, args: readonly unknown[]): ScratchBody {
  const scratch = takeScratch();
  try {
    writeArgsFields(method.args, scratch.writer, args);
  } catch (error) {
    throw codecFailure(method, "encode args", error);
  }
  return scratch;
}

function encodeOutcomeInto(method: MethodDescriptor, outcome: Outcome): ScratchBody {
  const scratch = takeScratch();
  try {
    const field = resultShapeOf(method.result).byId.get(outcome.fieldId);
    if (field === undefined) {
      if (outcome.fieldId !== 0) throw new ValueError(`the result has no field with id ${outcome.fieldId}`);
      // Whatever a void handler returned is dropped, as Thrift does: the body stays empty.
      return scratch;
    }
    if (outcome.value === undefined || outcome.value === null) {
      throw new ValueError("no value (a non-void method must return one)").within(field.descriptor.name);
    }
    writeOneField(method.result, scratch.writer, field.index, outcome.value);
  } catch (error) {
    throw codecFailure(method, "encode outcome", error);
  }
  return scratch;
}

/** protobufjs's Reader with the DataView it caches over `buf` (not in its typings). */
type ReusableReader = Reader & { view: DataView | null };

/**
 * Decoding is synchronous too, so one reader is reused, pointed at each body in
 * turn. One left mid-message by an error is dropped, and re-entrant use gets a
 * reader of its own, as with the scratch writers.
 */
let spareReader: ReusableReader | undefined;
const noBytes = Buffer.alloc(0);

function takeReader(body: Uint8Array): Reader {
  // A Buffer view (no copy) so protobufjs takes its Buffer fast paths for strings.
  const buffer = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const reader = spareReader;
  if (reader === undefined) return Reader.create(buffer);
  spareReader = undefined;
  reader.buf = buffer;
  reader.pos = 0;
  reader.len = buffer.length;
  reader.view = null;
  return reader;
}

function releaseReader(reader: Reader): void {
  // Point it at nothing, so the spare reader does not keep a socket chunk alive.
  const reusable = reader as ReusableReader;
  reusable.buf = noBytes;
  reusable.pos = 0;
  reusable.len = 0;
  reusable.view = null;
  spareReader = reusable;
}

/**
 * A protobuf writer used as scratch space. Encoding is synchronous, so one is
 * reused for every call and its buffer only grows; it goes back to the spare slot
 * once its bytes are copied out. One left half-written by an error is never put
 * back (so no garbage is kept), nor one grown past 1 MiB (so no huge buffer is).
 */
class ScratchBody implements DeferredBody {
  readonly writer: Writer = Writer.create();
  /** True from takeScratch() until the bytes are copied out. */
  inUse = false;

  get byteLength(): number {
    return this.writer.pos;
  }

  copyTo(target: Buffer, offset: number): void {
    this.checkInUse();
    this.writer.finishInto(target, offset);
    releaseScratch(this);
  }

  /** The bytes in a new buffer of their own. */
  finish(): Uint8Array {
    this.checkInUse();
    const bytes = this.writer.finish();
    releaseScratch(this);
    return bytes;
  }

  private checkInUse(): void {
    // The writer may already hold another call's body: copying it would send wrong bytes.
    if (!this.inUse) throw new Error("a deferred body was copied out twice");
  }
}

let spareScratch: ScratchBody | undefined;
const MAX_KEPT_WRITER_BYTES = 1024 * 1024;

function takeScratch(): ScratchBody {
  const scratch = spareScratch ?? new ScratchBody();
  spareScratch = undefined; // re-entrant use (a getter that encodes) gets scratch space of its own
  scratch.writer.reset();
  scratch.inUse = true;
  return scratch;
}

function releaseScratch(scratch: ScratchBody): void {
  scratch.inUse = false;
  if (scratch.writer.buf.length <= MAX_KEPT_WRITER_BYTES) spareScratch = scratch;
}
