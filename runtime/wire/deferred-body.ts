import type { MessageCodec, Outcome } from "../codec/codec.js";
import type { MethodDescriptor } from "../descriptor.js";

/**
 * A frame body already encoded into a codec's scratch space but not yet copied
 * out of it. The frame encoder copies it straight behind the frame header, so a
 * body costs one copy and no buffer of its own.
 *
 * The scratch space is reused by the codec's next encode: call `copyTo` before
 * encoding anything else with the same codec, and at most once.
 */
export interface DeferredBody {
  readonly byteLength: number;
  copyTo(target: Buffer, offset: number): void;
}

/**
 * The fast path of a codec whose encoder writes into reusable scratch space: the
 * same encodings as MessageCodec's `encodeArgs`/`encodeOutcome` (and the same
 * errors), handed out as DeferredBody.
 */
export interface DeferredBodyCodec extends MessageCodec {
  encodeArgsDeferred(method: MethodDescriptor, args: readonly unknown[]): DeferredBody;
  encodeOutcomeDeferred(method: MethodDescriptor, outcome: Outcome): DeferredBody;
}

/** True when `codec` offers the DeferredBody fast path. */
export function hasDeferredBodies(codec: MessageCodec): codec is DeferredBodyCodec {
  return typeof (codec as Partial<DeferredBodyCodec>).encodeOutcomeDeferred === "function";
}
