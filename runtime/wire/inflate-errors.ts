import { FrameError } from "./frame-error.js";

/** A gzipped body that inflates past `limit` bytes (a "gzip bomb", or just too big). */
export function inflatesTooLarge(limit: number, cause?: unknown): FrameError {
  return new FrameError("too-large", `gzipped body inflates to more than ${limit} bytes`, { cause });
}

/** What zlib's refusal to inflate a body means for the frame stream. */
export function inflateFailure(error: unknown, limit: number): FrameError {
  // zlib's own maxOutputLength check (the synchronous path) reports the limit this way.
  if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") return inflatesTooLarge(limit, error);
  return new FrameError("bad-gzip", `gzipped body cannot be inflated: ${(error as Error).message}`, { cause: error });
}
