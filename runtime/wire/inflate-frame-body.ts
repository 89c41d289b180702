import { createGunzip } from "node:zlib";
import { maxInflatedBodyBytes, type FrameLimits } from "./frame-limits.js";
import { inflateFailure, inflatesTooLarge } from "./inflate-errors.js";

/** Output zlib hands over at a time: each costs the event loop one copy of this size. */
const pieceBytes = 64 * 1024;
/** Deflate expands data at most about 1032:1; a gzip trailer that claims more is not believed. */
const maxDeflateRatio = 1032;
/** A gzip member's header and trailer. */
const gzipOverheadBytes = 18;

/**
 * Inflates the body of a gzip frame (as FrameDecoder hands it out with `deferInflate`)
 * on libuv's thread pool, so a large body does not stall every other connection the way
 * gunzipSync does. Rejects with the FrameErrors of the synchronous path: "too-large"
 * once the output passes maxInflatedBodyBytes(limits) (inflating stops there), and
 * "bad-gzip" for whatever zlib refuses.
 *
 * The pieces zlib produces are copied one by one into a buffer sized from the gzip
 * trailer, so no step on the event loop copies more than one piece (zlib's promise-style
 * API joins all the pieces at the end: one 64 MiB copy for a body at the default limit).
 */
export function inflateFrameBody(body: Uint8Array, limits: FrameLimits): Promise<Buffer> {
  const limit = maxInflatedBodyBytes(limits);
  return new Promise((resolve, reject) => {
    const output = new InflatedBytes(expectedSize(body, limit), limit);
    const gunzip = createGunzip({ chunkSize: pieceBytes });
    gunzip.on("data", (piece: Buffer) => {
      if (output.append(piece)) return;
      gunzip.destroy();
      reject(inflatesTooLarge(limit));
    });
    gunzip.on("end", () => resolve(output.result()));
    gunzip.on("error", (error) => reject(inflateFailure(error, limit)));
    gunzip.end(body);
  });
}

/**
 * The inflated size the body's gzip trailer gives (ISIZE, the last member's size), when it
 * is within what the body could produce and within the limit; a wrong claim costs at most
 * that allocation, and zlib refuses a single-member body whose size does not match it.
 */
function expectedSize(body: Uint8Array, limit: number): number {
  const n = body.length;
  if (n < gzipOverheadBytes) return 0;
  const claimed = (body[n - 4]! | (body[n - 3]! << 8) | (body[n - 2]! << 16) | (body[n - 1]! << 24)) >>> 0;
  return Math.min(claimed, limit, n * maxDeflateRatio);
}

/**
 * Inflated pieces gathered into one buffer of the expected size, allocated with the first
 * piece (so many inflates started at once don't all allocate in one tick) and grown
 * (doubling, up to the limit) only if the trailer understated the size.
 */
class InflatedBytes {
  private buffer: Buffer | undefined;
  private filled = 0;
  private readonly expected: number;
  private readonly limit: number;

  constructor(expected: number, limit: number) {
    this.expected = expected;
    this.limit = limit;
  }

  /** Adds a piece; false (and nothing added) if it would take the output past the limit. */
  append(piece: Buffer): boolean {
    const needed = this.filled + piece.length;
    if (needed > this.limit) return false;
    if (this.buffer === undefined) this.buffer = Buffer.allocUnsafe(Math.max(needed, this.expected));
    else if (needed > this.buffer.length) this.grow(this.buffer, needed);
    piece.copy(this.buffer!, this.filled);
    this.filled = needed;
    return true;
  }

  result(): Buffer {
    const buffer = this.buffer ?? Buffer.alloc(0);
    return this.filled === buffer.length ? buffer : buffer.subarray(0, this.filled);
  }

  private grow(buffer: Buffer, needed: number): void {
    const grown = Buffer.allocUnsafe(Math.min(this.limit, Math.max(needed, buffer.length * 2)));
    buffer.copy(grown, 0, 0, this.filled);
    this.buffer = grown;
  }
}
