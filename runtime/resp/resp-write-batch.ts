import type { Socket } from "node:net";
import { RespEncoder } from "./resp-encoder.js";
import type { RespValue, RespVersion } from "./resp-value.js";

/**
 * Collects the RESP commands or replies produced during one event-loop turn,
 * encoded straight into one buffer, and writes them with a single `socket.write`
 * in a `setImmediate` flush: 256 pipelined calls cost one syscall, not 256.
 * (FrameBatchWriter does the same for binary frames, but takes encoded frames.)
 */
export class RespWriteBatch {
  private readonly encoder = new RespEncoder();
  private scheduled = false;
  private readonly flushBound = (): void => this.flush();

  /**
   * @param afterFlush called after each batch is handed to the socket; the place to
   *   look at `socket.writableLength`, which only then reflects what the kernel refused.
   */
  constructor(
    private readonly socket: Socket,
    private readonly afterFlush?: () => void,
  ) {}

  /** Bytes written by us but not yet taken by the kernel: the unflushed batch plus the socket's buffer. */
  get pendingBytes(): number {
    return this.encoder.byteLength + this.socket.writableLength;
  }

  /** Queues a command: an array of bulk strings, text written as UTF-8. */
  command(args: readonly (Buffer | string)[]): void {
    this.encoder.command(args);
    this.schedule();
  }

  /** Queues `CALL <name> <words...>` without building an array of all its words. */
  call(name: string, words: readonly (Buffer | string)[]): void {
    this.encoder.arrayHeader(words.length + 2);
    this.encoder.bulkWord("CALL");
    this.encoder.bulkWord(name);
    for (const word of words) this.encoder.bulkWord(word);
    this.schedule();
  }

  /** Queues a reply. */
  value(value: RespValue, version: RespVersion): void {
    this.encoder.value(value, version);
    this.schedule();
  }

  /** Writes the batch now; safe to call at any time (e.g. right before ending the socket). */
  flush(): void {
    this.scheduled = false;
    if (this.encoder.byteLength === 0) return;
    const chunks = this.encoder.take();
    if (this.socket.destroyed || !this.socket.writable) return;
    if (chunks.length === 1) {
      this.socket.write(chunks[0]!);
    } else {
      // Large payloads travel as their own chunks; corked, they still leave in one writev.
      this.socket.cork();
      for (const chunk of chunks) this.socket.write(chunk);
      this.socket.uncork();
    }
    this.afterFlush?.();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flushBound);
  }
}
