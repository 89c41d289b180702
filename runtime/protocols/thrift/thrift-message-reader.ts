import { ThriftProtocolError } from "./thrift-protocol-error.js";
import { UnframedMessageScanner } from "./unframed-message-scanner.js";

const emptyBuffer = Buffer.alloc(0);
/** Smallest buffer allocated to hold a message that spans chunks. */
const minCapacity = 4096;

/**
 * Cuts a Thrift byte stream into messages: TFramedTransport's 4-byte length
 * prefix, or, for the unframed (buffered) transport, the message's own
 * structure (UnframedMessageScanner).
 *
 * A message wholly inside one socket chunk is read in place; bytes are copied
 * only when a message spans chunks, into a buffer that grows by doubling (so it
 * holds at most twice what has arrived, whatever size a frame declares) or, for
 * a frame whose length is known, to its exact size once half of it is in.
 * A frame's declared length is checked against the limit before anything is
 * kept for it.
 */
export class ThriftMessageReader {
  private data: Buffer = emptyBuffer;
  private start = 0;
  private end = 0;
  /** `data` is our own buffer (not a socket chunk), so later chunks may be appended to it. */
  private owned = false;
  /** Bytes the frame being assembled needs in all, once its length is read. */
  private wanted = 0;
  private readonly scanner: UnframedMessageScanner | undefined;

  /** Where the message found by the last successful next() lies in `buffer`. */
  messageStart = 0;
  messageEnd = 0;

  constructor(
    private readonly framed: boolean,
    compact: boolean,
    private readonly maxMessageBytes: number,
  ) {
    this.scanner = framed ? undefined : new UnframedMessageScanner(compact, maxMessageBytes);
  }

  /** The buffer the current message lies in. */
  get buffer(): Buffer {
    return this.data;
  }

  /** Bytes received and not yet consumed. */
  get bufferedBytes(): number {
    return this.end - this.start;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.start === this.end) {
      this.data = chunk;
      this.start = 0;
      this.end = chunk.length;
      this.owned = false;
      return;
    }
    const held = this.end - this.start;
    const needed = held + chunk.length;
    if (this.owned && needed <= this.data.length) {
      if (this.end + chunk.length > this.data.length) {
        this.data.copyWithin(0, this.start, this.end);
        this.start = 0;
        this.end = held;
      }
      chunk.copy(this.data, this.end);
      this.end += chunk.length;
      return;
    }
    const wanted = this.wanted;
    const capacity = wanted >= needed && wanted <= needed * 2 ? wanted : Math.max(minCapacity, needed * 2);
    const next = Buffer.allocUnsafeSlow(capacity);
    this.data.copy(next, 0, this.start, this.end);
    chunk.copy(next, held);
    this.data = next;
    this.start = 0;
    this.end = needed;
    this.owned = true;
  }

  /**
   * Looks for the next complete message; true when one is there (at
   * messageStart..messageEnd of `buffer`). Throws ThriftProtocolError for a
   * frame over the limit or bytes that cannot be Thrift.
   */
  next(): boolean {
    const available = this.end - this.start;
    if (this.scanner !== undefined) {
      const length = this.scanner.scan(this.data, this.start, this.end);
      if (length < 0) return false;
      this.scanner.reset();
      this.messageStart = this.start;
      this.messageEnd = this.start + length;
      return true;
    }
    if (available < 4) return false;
    const length = this.data.readInt32BE(this.start);
    if (length <= 0) throw new ThriftProtocolError("malformed", `frame of ${length} bytes`);
    if (length > this.maxMessageBytes) {
      throw new ThriftProtocolError(
        "too-large",
        `frame of ${length} bytes declared, over the maximum of ${this.maxMessageBytes} bytes`,
      );
    }
    if (available < 4 + length) {
      this.wanted = 4 + length;
      return false;
    }
    this.wanted = 0;
    this.messageStart = this.start + 4;
    this.messageEnd = this.start + 4 + length;
    return true;
  }

  /** Drops the message found by next(). */
  consume(): void {
    this.start = this.messageEnd;
    if (this.start >= this.end) this.clear();
  }

  /** Drops everything buffered (and the reference to the last socket chunk). */
  clear(): void {
    this.data = emptyBuffer;
    this.start = 0;
    this.end = 0;
    this.owned = false;
    this.wanted = 0;
    this.scanner?.reset();
  }
}
