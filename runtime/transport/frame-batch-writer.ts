import type { Socket } from "node:net";
import { encodeFrame } from "../wire/frame-encoder.js";
import type { FrameLimits } from "../wire/frame-limits.js";
import type { Frame } from "../wire/frame.js";

/** Called once the batch holding a frame has been handed to the kernel (or failed). */
export type WrittenCallback = (error?: Error | null) => void;

/**
 * Collects the frames produced during one event-loop turn and writes them with a
 * single `socket.write` in a `setImmediate` flush: many calls issued together cost
 * one syscall, and a reply burst costs one too.
 */
export class FrameBatchWriter {
  private chunks: Buffer[] = [];
  private bytes = 0;
  private scheduled = false;
  private callbacks: WrittenCallback[] | undefined;
  private readonly flushBound = (): void => this.flush();

  /**
   * @param afterFlush called after each batch is handed to the socket; the place to
   *   look at `socket.writableLength`, which only then reflects what the kernel refused.
   */
  constructor(
    private readonly socket: Socket,
    private readonly limits: FrameLimits,
    private readonly afterFlush?: () => void,
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
    const bytes = encodeFrame(frame, this.limits);
    this.writeEncoded(bytes, onWritten);
    return bytes.length;
  }

  /** Queues already encoded frame bytes. */
  writeEncoded(bytes: Buffer, onWritten?: WrittenCallback): void {
    this.chunks.push(bytes);
    this.bytes += bytes.length;
    if (onWritten !== undefined) (this.callbacks ??= []).push(onWritten);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.flushBound);
    }
  }

  /** Writes the batch now; safe to call at any time (e.g. right before ending the socket). */
  flush(): void {
    this.scheduled = false;
    if (this.chunks.length === 0) return;
    const data = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.bytes);
    const callbacks = this.callbacks;
    this.chunks = [];
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
    if (callbacks === undefined) {
      this.socket.write(data);
    } else {
      this.socket.write(data, (error) => {
        for (const callback of callbacks) callback(error);
      });
    }
    this.afterFlush?.();
  }
}
