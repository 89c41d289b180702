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
 * What the frame encoder takes as a body: bytes of their own, or a body still
 * in a codec's scratch space. Both are written by the same code; only the last
 * copy differs (see encodeFrameParts).
 */
export type FrameBody = Uint8Array | DeferredBody;

/**
 * A codec whose encoder writes into reusable scratch space: the same encodings
 * as MessageCodec's `encodeArgs`/`encodeOutcome` (and the same errors), handed
 * out as DeferredBody.
 */
export interface DeferredBodyCodec extends MessageCodec {
  encodeArgsDeferred(method: MethodDescriptor, args: readonly unknown[]): DeferredBody;
  encodeOutcomeDeferred(method: MethodDescriptor, outcome: Outcome): DeferredBody;
}

/** True when `codec` can leave its bodies in scratch space (see DeferredBody). */
export function hasDeferredBodies(codec: MessageCodec): codec is DeferredBodyCodec {
  return typeof (codec as Partial<DeferredBodyCodec>).encodeOutcomeDeferred === "function";
}

/**
 * The body of a call frame, in the cheapest form `codec` offers. Throws what
 * the codec throws.
 */
export function argsBody(codec: MessageCodec, method: MethodDescriptor, args: readonly unknown[]): FrameBody {
  return hasDeferredBodies(codec) ? codec.encodeArgsDeferred(method, args) : codec.encodeArgs(method, args);
}

/** The body of a reply frame, in the cheapest form `codec` offers. Throws what the codec throws. */
export function outcomeBody(codec: MessageCodec, method: MethodDescriptor, outcome: Outcome): FrameBody {
  return hasDeferredBodies(codec) ? codec.encodeOutcomeDeferred(method, outcome) : codec.encodeOutcome(method, outcome);
}
