/** Why a byte stream could not be read as frames. */
export type FrameErrorReason = "too-large" | "malformed" | "bad-gzip";

/**
 * The peer sent bytes that are not a valid frame stream. The connection cannot be
 * resynchronised after this, so the transport should close it.
 */
export class FrameError extends Error {
  readonly reason: FrameErrorReason;

  constructor(reason: FrameErrorReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.reason = reason;
  }

  override get name(): string {
    return "FrameError";
  }
}
