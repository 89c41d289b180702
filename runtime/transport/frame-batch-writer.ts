import type { Socket } from "node:net";
import type { FrameBody } from "../wire/deferred-body.js";
import { encodeFrame, encodeFrameInto, type FrameSink } from "../wire/frame-encoder.js";
import type { FrameLimits } from "../wire/frame-limits.js";
import type { CodecId, Frame, FrameKind } from "../wire/frame.js";
import { flushAtEndOfTurn, type EndOfTurnBatch } from "./end-of-turn-flush.js";

/** Called once the batch holding a frame has been handed to the kernel (or failed). */
export type WrittenCallback = (error?: Error | null) => void;

/** Told after each batch is handed to the socket (an object's method, so a connection needs no closure for it). */
export interface FlushListener {
  flushed(): void;
}

/** Room for the frames of a few turns; a frame larger than this gets a buffer of its exact size. */
const slabBytes = 32 * 1024;
const emptySlab = Buffer.alloc(0);
/** A batch of frames encoded apart is joined into one buffer up to this size, and written as a list above it. */
const joinLimitBytes = 256 * 1024;

/**
 * Collects the frames produced during one event-loop turn and writes them with a
 * single `socket.write` at the end of the turn (flushAtEndOfTurn: the check
 * phase, as `setImmediate`): many calls issued together cost one syscall, and a
 * reply burst costs one too.
 *
 * Frames given to writeFrame() are encoded straight into a slab shared by the
 * batches, so a batch of them costs neither a buffer per frame nor a copy at
 * flush: the batch is written as a view of the slab, and later batches go to the
 * slab's unused rest (a view handed to the socket is never written over).
 * Frames encoded elsewhere (writeEncoded) join the batch as chunks of their own.
 */
export class FrameBatchWriter implements FrameSink, EndOfTurnBatch {
  /** The slab; its bytes from `start` to `end` are the open part of the batch. */
  buffer: Buffer = emptySlab;
  private start = 0;
  private end = 0;
  /** The batch's parts before the open slab region, in write order; made when needed, so an idle writer holds no list. */
  private chunks: Buffer[] | undefined;
  private bytes = 0;
  private scheduled = false;
  private callbacks: WrittenCallback[] | undefined;

  /**
   * @param afterFlush its `flushed()` is called after each batch is handed to the socket;
   *   the place to look at `socket.writableLength`, which only then reflects what the kernel refused.
   */
  constructor(
    private readonly socket: Socket,
    private readonly limits: FrameLimits,
    private readonly afterFlush?: FlushListener,
    /** flushIfFull() writes the batch once it holds this many bytes. */
    private readonly earlyFlushBytes = Infinity,
  ) {}

  /**
   * Bytes written by us but not yet taken by the kernel: the unflushed batch plus
   * the socket's own buffer. This is what back-pressure limits look at.
   */
  get pendingBytes(): number {
    return this.bytes + this.socket.writableLength;
  }

  /** Encodes `frame` (may throw RpcError RESOURCE_EXHAUSTED when too large) and queues it. */
  write(frame: Frame, onWritten?: WrittenCallback): number {
    // Control frames are rare and may be a connection's only writes: no slab for them.
    const bytes = encodeFrame(frame, this.limits);
    this.writeEncoded(bytes, onWritten);
    return bytes.length;
  }

  /**
   * Encodes a frame into the batch and returns its size. Throws as
   * encodeFrameParts does, having queued nothing.
   */
  writeFrame(
    kind: FrameKind,
    requestId: number,
    method: string,
    codec: CodecId,
    deadlineMs: number,
    metadata: Record<string, string> | undefined,
    body: FrameBody,
  ): number {
    const size = encodeFrameInto(this, kind, requestId, method, codec, deadlineMs, metadata, body, this.limits);
    this.bytes += size;
    this.schedule();
    return size;
  }

  /** Calls `onWritten` once the batch being built (with what was queued so far) is handed to the socket, or fails. */
  afterBatchWritten(onWritten: WrittenCallback): void {
    (this.callbacks ??= []).push(onWritten);
  }

  /**
   * Takes back the frame writeFrame() just queued (nothing may have been
   * written since), for a caller that finds it must not be sent after all.
   */
  unwriteLast(size: number): void {
    this.end -= size;
    this.bytes -= size;
  }

  /**
   * Writes the batch now if it holds at least `earlyFlushBytes`. A burst of
   * calls then leaves in a few writes instead of one at the end of the turn, so
   * the peer works on the first ones while the rest are still being encoded:
   * the two processes overlap instead of taking turns.
   */
  flushIfFull(): void {
    if (this.bytes >= this.earlyFlushBytes) this.flush();
  }

  /** FrameSink: room for one frame at the end of the batch. */
  reserve(bytes: number): number {
    if (this.end + bytes > this.buffer.length) {
      this.closeSlabRegion();
      this.buffer = Buffer.allocUnsafeSlow(Math.max(slabBytes, bytes));
      this.start = 0;
      this.end = 0;
    }
    const at = this.end;
    this.end += bytes;
    return at;
  }

  /** Queues already encoded frame bytes. */
  writeEncoded(bytes: Buffer, onWritten?: WrittenCallback): void {
    this.closeSlabRegion();
    (this.chunks ??= []).push(bytes);
    this.bytes += bytes.length;
    if (onWritten !== undefined) (this.callbacks ??= []).push(onWritten);
    this.schedule();
  }

  /** Writes the batch now; safe to call at any time (e.g. right before ending the socket). */
  flush(): void {
    this.scheduled = false;
    if (this.bytes === 0) return;
    let data: Buffer | Buffer[];
    if (this.chunks === undefined) {
      data = this.buffer.subarray(this.start, this.end);
      this.start = this.end;
    } else {
      this.closeSlabRegion();
      const chunks = this.chunks;
      // Small frames are joined into one write; large ones go as they are (no copy of big bodies).
      data = chunks.length === 1 ? chunks[0]! : this.bytes <= joinLimitBytes ? Buffer.concat(chunks, this.bytes) : chunks;
      this.chunks = undefined;
    }
    const callbacks = this.callbacks;
    this.bytes = 0;
    this.callbacks = undefined;
    if (this.socket.destroyed || !this.socket.writable) {
      if (callbacks !== undefined) {
        const error = Object.assign(new Error("socket closed before the frame was written"), {
          code: "ERR_SOCKET_CLOSED",
        });
        for (const callback of callbacks) callback(error);
      }
      return;
    }
    const written =
      callbacks === undefined
        ? undefined
        : (error?: Error | null) => {
            for (const callback of callbacks) callback(error);
          };
    if (!Array.isArray(data)) {
      this.socket.write(data, written);
    } else {
      // Corked, the chunks still leave in one writev.
      this.socket.cork();
      const last = data.length - 1;
      for (let i = 0; i < last; i++) this.socket.write(data[i]!);
      this.socket.write(data[last]!, written);
      this.socket.uncork();
    }
    this.afterFlush?.flushed();
  }

  /** EndOfTurnBatch: the turn this batch was scheduled in has ended. */
  turnEnded(): void {
    if (this.scheduled) this.flush();
  }

  private schedule(): void {
    if (!this.scheduled) {
      this.scheduled = true;
      flushAtEndOfTurn(this);
    }
  }

  /** Moves the open slab region, if any, to the chunk list, so that what comes next follows it. */
  private closeSlabRegion(): void {
    if (this.end > this.start) {
      (this.chunks ??= []).push(this.buffer.subarray(this.start, this.end));
      this.start = this.end;
    }
  }
}
