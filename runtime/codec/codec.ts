import type { MethodDescriptor } from "../descriptor.js";
import type { CodecId } from "../wire/frame.js";

/**
 * Which field of a method's result struct a reply carries: field id 0 (`success`,
 * value undefined for void) or the id of a declared exception, whose value is then
 * an instance of the generated exception class.
 */
export interface Outcome {
  fieldId: number;
  value: unknown;
}

/**
 * Turns call arguments and outcomes into body bytes and back, driven only by
 * descriptors. Implementations precompile per-struct encoders on first use, so
 * the per-call cost is the walk over the value and nothing else.
 * Decoding bad bytes throws RpcError(INVALID_ARGUMENT) for args and
 * RpcError(INTERNAL) for results; it never returns a half-decoded value.
 */
export interface MessageCodec {
  readonly id: CodecId;
  readonly name: "json" | "binary";
  encodeArgs(method: MethodDescriptor, args: readonly unknown[]): Uint8Array;
  decodeArgs(method: MethodDescriptor, body: Uint8Array): unknown[];
  encodeOutcome(method: MethodDescriptor, outcome: Outcome): Uint8Array;
  decodeOutcome(method: MethodDescriptor, body: Uint8Array): Outcome;
}
