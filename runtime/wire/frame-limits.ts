/**
 * Size limits of the binary framing. Sender and receiver should use the same
 * values: the sender refuses what the receiver would refuse, so an oversized
 * message fails at the caller with a clear error instead of tearing down the
 * connection on the other side.
 */
export interface FrameLimits {
  /** Largest frame on the wire, header included. */
  maxFrameBytes: number;
  /** A body longer than this is gzip-compressed before it is sent. */
  compressThresholdBytes: number;
  /**
   * Largest body after gunzip (guards the receiver against gzip bombs).
   * Defaults to 16 × maxFrameBytes when absent.
   */
  maxInflatedBodyBytes?: number;
}

/** 4 MiB frames, bodies over 2 MiB compressed. */
export const defaultFrameLimits: FrameLimits = Object.freeze({
  maxFrameBytes: 4 * 1024 * 1024,
  compressThresholdBytes: 2 * 1024 * 1024,
});

/** The gunzip limit in effect for `limits`. */
export function maxInflatedBodyBytes(limits: FrameLimits): number {
  return limits.maxInflatedBodyBytes ?? limits.maxFrameBytes * 16;
}
