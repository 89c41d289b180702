import type { Socket } from "node:net";
import { Code, RpcError } from "../../errors.js";
import type { FlushListener } from "../../transport/frame-batch-writer.js";
import { writeHeaderPrefix } from "./theader-frame.js";
import type { ThriftOutput } from "./thrift-output.js";

const noBytes = Buffer.alloc(0);

/** Called once the batch holding a message has been handed to the kernel (or could not be). */
export type WrittenCallback = (error?: Error | null) => void;

/**
 * Collects the Thrift messages written during one event-loop turn, encoded
 * straight into the output's buffer, and writes them with one `socket.write`
 * in a `setImmediate` flush (or earlier, once `earlyFlushBytes` are queued).
 * With TFramedTransport each message gets its 4-byte length in front, filled
 * in when the message is done.
 */
export class ThriftWriteBatch {
  private scheduled = false;
  private callbacks: WrittenCallback[] | undefined;
  private readonly flushBound = (): void => this.flush();
  /** Made the first time a batch is not taken by the kernel at once (back-pressure, TLS): most connections never need it. */
  private releaseWhenWritten: (() => void) | undefined;
  /** The last batch was queued by the socket, not taken by the kernel at once: the next one carries the release callback. */
  private writesQueue = false;
  /**
   * Set on a THeader connection (framed): each message gets THeader's prefix
   * after its length, with these flags and protocol id (the client's own).
   */
  header: { flags: number; readonly protocolId: number } | undefined = undefined;

  /**
   * @param afterFlush called after each batch is handed to the socket; the place to
   *   look at `socket.writableLength`, which only then reflects what the kernel refused.
   */
  constructor(
    private readonly socket: Socket,
    readonly out: ThriftOutput,
    private readonly framed: boolean,
    private readonly afterFlush?: FlushListener,
    private readonly earlyFlushBytes = Infinity,
  ) {}

  /** Bytes queued by us and not yet taken by the kernel. */
  get pendingBytes(): number {
    return this.out.length + this.socket.writableLength;
  }

  /** Starts a message (`seqid` goes in a THeader prefix); returns the mark that end() or abandon() takes. */
  begin(seqid = 0): number {
    const mark = this.out.mark();
    if (this.framed) {
      this.out.reserveInt32();
      const header = this.header;
      if (header !== undefined) writeHeaderPrefix(this.out, header.flags, seqid, header.protocolId);
    }
    return mark;
  }

  /**
   * Finishes the message begun at `mark` and returns its size on the wire. A
   * message over `maxBytes` is dropped and RESOURCE_EXHAUSTED thrown.
   */
  end(mark: number, maxBytes: number): number {
    const size = this.out.mark() - mark;
    const message = this.framed ? size - 4 : size;
    if (message > maxBytes) {
      this.out.rollback(mark);
      throw new RpcError(Code.RESOURCE_EXHAUSTED, `message of ${message} bytes is over the limit of ${maxBytes} bytes`);
    }
    if (this.framed) this.out.patchInt32(mark, message);
    this.schedule();
    return size;
  }

  /** Drops the message begun at `mark` (it failed to encode). */
  abandon(mark: number): void {
    this.out.rollback(mark);
  }

  /** Calls `callback` once what is queued so far has been handed to the socket. */
  onWritten(callback: WrittenCallback): void {
    (this.callbacks ??= []).push(callback);
    this.schedule();
  }

  /** Writes the batch now if it holds at least `earlyFlushBytes`. */
  flushIfFull(): void {
    if (this.out.length >= this.earlyFlushBytes) this.flush();
  }

  /** Writes the batch now; safe to call at any time (e.g. right before ending the socket). */
  flush(): void {
    this.scheduled = false;
    const callbacks = this.callbacks;
    this.callbacks = undefined;
    if (this.out.length === 0) {
      if (callbacks !== undefined) for (const callback of callbacks) callback(null);
      return;
    }
    const bytes = this.out.take();
    if (this.socket.destroyed || !this.socket.writable) {
      if (callbacks !== undefined) {
        const error = Object.assign(new Error("socket closed before the message was written"), { code: "ERR_SOCKET_CLOSED" });
        for (const callback of callbacks) callback(error);
      }
      return;
    }
    let written: WrittenCallback | undefined;
    if (callbacks !== undefined) {
      written = (error) => {
        for (const callback of callbacks) callback(error);
        this.releaseIfWritten();
      };
    } else if (this.writesQueue) {
      written = this.releaseCallback();
    }
    this.socket.write(bytes, written);
    if (this.socket.writableLength === 0) {
      // The kernel took the batch at once (the usual case over TCP): the slab is free again.
      this.writesQueue = false;
      this.out.release();
    } else {
      // Queued in the socket (back-pressure, TLS): the slab is given back once the queue drains.
      this.writesQueue = true;
      if (written === undefined) this.socket.write(noBytes, this.releaseCallback());
    }
    this.afterFlush?.flushed();
  }

  private releaseCallback(): () => void {
    return (this.releaseWhenWritten ??= () => this.releaseIfWritten());
  }

  /** Gives the output's slab back once the socket holds none of its bytes (a later batch may be queued still). */
  private releaseIfWritten(): void {
    if (this.socket.writableLength === 0) this.out.release();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.flushBound);
  }
}
