/**
 * The unit of the binary protocol. One frame is one message on a connection;
 * the exact byte layout is in docs/PROTOCOL.md (a public contract).
 */

export const FrameKind = {
  Call: 1,
  Reply: 2,
  Error: 3,
  Oneway: 4,
  Ping: 5,
  Pong: 6,
  Goaway: 7,
  /** Client to server: the caller gave up on the call with this request id; stop its handler, send no reply. */
  Cancel: 8,
} as const;

export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

/** Codec identifiers carried in every frame, so each call may use its own codec. */
export const CodecId = {
  Json: 1,
  Binary: 2,
} as const;

export type CodecId = (typeof CodecId)[keyof typeof CodecId];

export const FrameFlags = {
  /** The body is gzip-compressed. */
  Gzip: 0x01,
} as const;

export interface Frame {
  kind: FrameKind;
  /** Chosen by the caller, echoed in the reply; unique among a connection's calls in flight. */
  requestId: number;
  /** `<Service>.<method>` for call and oneway frames; empty otherwise. */
  method: string;
  codec: CodecId;
  flags: number;
  /** Milliseconds the callee has left to answer; 0 means no deadline. */
  deadlineMs: number;
  /** String key/values (call metadata; error details on error frames). Undefined when empty. */
  metadata: Record<string, string> | undefined;
  /** The codec's bytes: decompressed by the decoder, unless it defers that (then the Gzip flag is still set). */
  body: Uint8Array;
}
