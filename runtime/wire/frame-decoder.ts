import type { Frame } from "./frame.js";
import { FrameError } from "./frame-error.js";
import { defaultFrameLimits, type FrameLimits } from "./frame-limits.js";
import { FRAME_MAGIC, FRAME_VERSION, PREFIX_BYTES } from "./frame-layout.js";
import { parseFrame } from "./frame-parse.js";

export { FrameError, type FrameErrorReason } from "./frame-error.js";

/**
 * The chunk list of every decoder holding no partial frame: shared, so a decoder
 * between frames (an idle connection's) keeps no list of its own. Frozen, as it
 * must stay empty: push() adds only to a list keepTail made.
 */
const noChunks = Object.freeze([]) as unknown as Buffer[];

/**
 * Where a decoder hands its frames: an object's method, so that a server
 * connection, which implements it, needs no closure for it.
 */
export interface FrameReceiver {
  receiveFrame(frame: Frame): void;
}

export interface FrameDecoderOptions {
  /**
   * Hand gzip frames out as they came: Gzip flag set, body still compressed, for the
   * receiver to inflate off the event loop with inflateFrameBody (servers do). Default
   * false: bodies are inflated synchronously, inside push.
   */
  readonly deferInflate?: boolean;
}

/**
 * Streaming decoder: push() socket chunks in; hands each complete frame to the
 * receiver (body already gunzipped, unless `deferInflate`). Throws FrameError on
 * malformed input or a declared length over maxFrameBytes (checked BEFORE allocating).
 *
 * Partial input is kept as a list of chunks; bytes are copied only when a frame
 * spans chunks, and a frame wholly inside one chunk is handed out as a view of
 * it. Frames handed out have the Gzip flag cleared, as their body is already
 * inflated (with `deferInflate`, gzip frames keep the flag and their compressed
 * body). After a FrameError the stream cannot be resynchronised: every later
 * push throws the same error. If the receiver throws, the error propagates out
 * of push and the frames after it stay buffered; pushing an empty buffer resumes.
 */
export class FrameDecoder {
  private readonly receiver: FrameReceiver;
  private readonly limits: FrameLimits;
  private readonly inflate: boolean;
  /** Unconsumed input; the first chunk is consumed up to `headOffset`. Empty: none between frames. */
  private chunks: Buffer[] = noChunks;
  private headOffset = 0;
  private buffered = 0;
  private failure: FrameError | undefined;

  /** @param receiver an object receiving the frames, or a function called with each */
  constructor(receiver: FrameReceiver | ((frame: Frame) => void), limits: FrameLimits = defaultFrameLimits, options: FrameDecoderOptions = {}) {
    this.receiver = typeof receiver === "function" ? { receiveFrame: receiver } : receiver;
    this.limits = limits;
    this.inflate = options.deferInflate !== true;
  }

  /** Bytes received and not yet handed out as frames. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  push(chunk: Buffer): void {
    if (this.failure !== undefined) throw this.failure;
    try {
      if (this.chunks.length === 0) {
        if (chunk.length > 0) this.drainChunk(chunk, 0);
      } else {
        if (chunk.length > 0) {
          this.chunks.push(chunk);
          this.buffered += chunk.length;
        }
        this.drainSpanning();
      }
    } catch (error) {
      if (error instanceof FrameError) this.failure = error;
      throw error;
    }
  }

  /** Fast path: frames wholly inside `chunk` go out as views; a partial tail is kept. */
  private drainChunk(chunk: Buffer, offset: number): void {
    const length = chunk.length;
    while (offset < length) {
      const available = length - offset;
      if (available < PREFIX_BYTES) {
        this.checkPrefixStart(chunk[offset]!, available > 1 ? chunk[offset + 1]! : undefined);
        break;
      }
      const total = this.frameLength(chunk[offset]!, chunk[offset + 1]!, chunk.readUInt32BE(offset + 2));
      if (available < total) break;
      const frame = parseFrame(chunk, offset, offset + total, this.limits, this.inflate);
      offset += total;
      this.deliver(frame, chunk, offset);
    }
    this.keepTail(chunk, offset);
  }

  /** Slow path: the first frame starts in an earlier chunk. */
  private drainSpanning(): void {
    while (this.chunks.length > 1) {
      if (this.buffered < PREFIX_BYTES) {
        this.checkPrefixStart(this.byteAt(0), this.buffered > 1 ? this.byteAt(1) : undefined);
        return;
      }
      const declared = ((this.byteAt(2) << 24) | (this.byteAt(3) << 16) | (this.byteAt(4) << 8) | this.byteAt(5)) >>> 0;
      const total = this.frameLength(this.byteAt(0), this.byteAt(1), declared);
      if (this.buffered < total) return;
      const bytes = this.take(total);
      const frame = parseFrame(bytes, 0, total, this.limits, this.inflate);
      this.deliver(frame, undefined, 0);
    }
    if (this.chunks.length === 1) {
      const [only] = this.chunks;
      const offset = this.headOffset;
      this.chunks = noChunks;
      this.headOffset = 0;
      this.buffered = 0;
      this.drainChunk(only!, offset);
    }
  }

  /**
   * Hands a frame out. If the callback throws, the unread rest of the current
   * chunk is kept first, so no frame is lost to the caller's exception.
   */
  private deliver(frame: Frame, chunk: Buffer | undefined, offset: number): void {
    try {
      this.receiver.receiveFrame(frame);
    } catch (error) {
      if (chunk !== undefined) this.keepTail(chunk, offset);
      throw error;
    }
  }

  private keepTail(chunk: Buffer, offset: number): void {
    if (offset >= chunk.length) return;
    // Keep only a view: nothing is copied until a frame completes across chunks.
    this.chunks = [chunk];
    this.headOffset = offset;
    this.buffered = chunk.length - offset;
  }

  private checkPrefixStart(magic: number, version: number | undefined): void {
    if (magic !== FRAME_MAGIC) throw badMagic(magic);
    if (version !== undefined && version !== FRAME_VERSION) throw badVersion(version);
  }

  /** Validates the prefix and returns the whole frame's size, before anything is allocated for it. */
  private frameLength(magic: number, version: number, declared: number): number {
    this.checkPrefixStart(magic, version);
    const total = PREFIX_BYTES + declared;
    if (total > this.limits.maxFrameBytes) {
      throw new FrameError(
        "too-large",
        `frame of ${total} bytes declared, over the maximum of ${this.limits.maxFrameBytes} bytes`,
      );
    }
    return total;
  }

  private byteAt(index: number): number {
    let i = index + this.headOffset;
    for (const chunk of this.chunks) {
      if (i < chunk.length) return chunk[i]!;
      i -= chunk.length;
    }
    throw new RangeError(`byte ${index} is not buffered`);
  }

  /** Removes the first `count` buffered bytes into one new Buffer. */
  private take(count: number): Buffer {
    const out = Buffer.allocUnsafe(count);
    let written = 0;
    while (written < count) {
      const chunk = this.chunks[0]!;
      const available = chunk.length - this.headOffset;
      const wanted = count - written;
      if (available <= wanted) {
        chunk.copy(out, written, this.headOffset);
        written += available;
        this.chunks.shift();
        this.headOffset = 0;
      } else {
        chunk.copy(out, written, this.headOffset, this.headOffset + wanted);
        written += wanted;
        this.headOffset += wanted;
      }
    }
    this.buffered -= count;
    return out;
  }
}

function badMagic(byte: number): FrameError {
  return new FrameError(
    "malformed",
    `frame does not start with the magic byte 0xb5 (got 0x${byte.toString(16).padStart(2, "0")})`,
  );
}

function badVersion(version: number): FrameError {
  return new FrameError("malformed", `unsupported frame version ${version} (this side speaks version 1)`);
}
