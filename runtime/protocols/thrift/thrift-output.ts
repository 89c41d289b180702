import { writeUtf8 } from "../../wire/buffer-utf8.js";
import { ValueError } from "../../codec/value-error.js";
import { returnSlab, slabBytes, takeSlab } from "./thrift-slab-pool.js";
import { MAX_THRIFT_DEPTH } from "./thrift-wire-types.js";

const emptyBuffer = Buffer.alloc(0);
/** A buffer grown past this for one large message is not kept for the next ones. */
const maxKeptBytes = 1024 * 1024;
/** A slab with less room than this left is not kept after a take: the next message would not fit anyway. */
const minLeftBytes = 512;

/**
 * Where Thrift messages are encoded: one growing buffer that messages are written
 * straight into, handed over in batches (`take`) as views the output never writes
 * over again, so a turn's replies or calls cost no buffer per message and no
 * concatenation. The protocol subclasses (binary, compact) add the encoding.
 *
 * Positions a caller keeps (`mark`) count from the start of the untaken bytes, so
 * they stay right when the buffer grows and moves.
 *
 * The buffer is a slab of the process's pool (thrift-slab-pool.ts) for messages up
 * to its size, given back by `release()` once what was taken has been written.
 */
export abstract class ThriftOutput {
  buf: Buffer = emptyBuffer;
  pos = 0;
  /** Where the bytes not taken yet start. */
  private base = 0;
  /** Structs and containers open around the value being written. */
  protected depth = 0;

  /** Bytes written since the last take. */
  get length(): number {
    return this.pos - this.base;
  }

  /** A position to come back to (see rollback, patchInt32). */
  mark(): number {
    return this.pos - this.base;
  }

  /** Forgets what was written after `mark`: a message that failed half-way never reaches the socket. */
  rollback(mark: number): void {
    this.pos = this.base + mark;
    this.depth = 0;
    this.resetNesting();
  }

  /** Writes a big-endian int32 at `mark`, over four bytes reserved earlier (a frame's length). */
  patchInt32(mark: number, value: number): void {
    this.buf.writeInt32BE(value, this.base + mark);
  }

  /** Hands over the bytes written since the last take. */
  take(): Buffer {
    const bytes = this.buf.subarray(this.base, this.pos);
    if (this.buf.length - this.pos < minLeftBytes || this.buf.length > maxKeptBytes) {
      // The socket holds the view until it is written: later messages go to a fresh buffer.
      this.buf = emptyBuffer;
      this.pos = 0;
    }
    this.base = this.pos;
    return bytes;
  }

  /**
   * Gives the buffer back (to the slab pool if it is one) when nothing is left
   * untaken: the caller vouches that no view handed out by `take` is still
   * waiting to be written. The next message takes a slab again.
   */
  release(): void {
    if (this.pos !== this.base) return;
    if (this.buf.length === slabBytes) returnSlab(this.buf);
    this.buf = emptyBuffer;
    this.pos = 0;
    this.base = 0;
  }

  /** Makes room for `bytes` more bytes at `pos`. */
  ensure(bytes: number): void {
    if (this.pos + bytes > this.buf.length) this.grow(bytes);
  }

  private grow(bytes: number): void {
    const live = this.pos - this.base;
    const size = Math.max(slabBytes, (live + bytes) * 2);
    const next = size === slabBytes ? takeSlab() : Buffer.allocUnsafeSlow(size);
    // Only the untaken bytes move: taken ones may still be on their way to the socket.
    this.buf.copy(next, 0, this.base, this.pos);
    this.buf = next;
    this.base = 0;
    this.pos = live;
  }

  /** Reserves four bytes (a frame's length, filled in by patchInt32) and returns their mark. */
  reserveInt32(): number {
    this.ensure(4);
    const mark = this.pos - this.base;
    this.pos += 4;
    return mark;
  }

  // ---- nesting ----

  /** Counts one more level of nesting; a value nested past Thrift's recursion limit cannot be read by Apache peers. */
  protected enter(): void {
    if (++this.depth > MAX_THRIFT_DEPTH) {
      this.depth = 0;
      throw new ValueError(`nested deeper than ${MAX_THRIFT_DEPTH} structs and containers, Thrift's recursion limit`);
    }
  }

  protected leave(): void {
    this.depth--;
  }

  /** Drops per-struct state after a rollback (the compact protocol's field-id stack). */
  protected resetNesting(): void {}

  // ---- bytes shared by both protocols ----

  byte(value: number): void {
    this.ensure(1);
    this.buf[this.pos++] = value;
  }

  int32BE(value: number): void {
    this.ensure(4);
    const buf = this.buf;
    const pos = this.pos;
    buf[pos] = value >>> 24;
    buf[pos + 1] = value >>> 16;
    buf[pos + 2] = value >>> 8;
    buf[pos + 3] = value;
    this.pos = pos + 4;
  }

  /** The raw bytes, no length. */
  raw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** UTF-8 of `text` at `at`, in a buffer already sized for it; returns the byte count. */
  protected utf8At(text: string, at: number): number {
    return writeUtf8(this.buf, text, at);
  }

  /** A uuid as its 16 bytes, big-endian, from its canonical text (already checked). */
  uuid(text: string): void {
    this.ensure(16);
    const buf = this.buf;
    let at = this.pos;
    for (let i = 0; i < text.length; i++) {
      const high = text.charCodeAt(i);
      if (high === 0x2d) continue;
      buf[at++] = (hexValue(high) << 4) | hexValue(text.charCodeAt(++i));
    }
    this.pos = at;
  }

  // ---- the protocol's encoding ----

  abstract messageBegin(name: string, type: number, seqid: number): void;
  abstract structBegin(): void;
  /** Writes the stop field and closes the struct. */
  abstract structEnd(): void;
  abstract fieldBegin(ttype: number, id: number): void;
  /** A bool field: the compact protocol carries the value in the field header. */
  abstract boolField(id: number, value: boolean): void;
  abstract listBegin(elementType: number, size: number): void;
  abstract mapBegin(keyType: number, valueType: number, size: number): void;

  /** Closes a list, set or map. */
  containerEnd(): void {
    this.leave();
  }

  abstract bool(value: boolean): void;
  abstract i8(value: number): void;
  abstract i16(value: number): void;
  abstract i32(value: number): void;
  /** An i64 as a safe-integer number or a bigint in the signed 64-bit range (already checked). */
  abstract i64(value: number | bigint): void;
  abstract double(value: number): void;
  abstract binary(bytes: Uint8Array): void;
  abstract string(text: string): void;
}

/** 0-15 for a hex digit's char code (already checked to be one). */
function hexValue(code: number): number {
  return code <= 0x39 ? code - 0x30 : (code | 0x20) - 0x57;
}
