import { readUtf8 } from "../../wire/buffer-utf8.js";
import { ThriftProtocolError, truncated } from "./thrift-protocol-error.js";
import { MAX_MESSAGE_NAME_BYTES, MAX_THRIFT_DEPTH, TType } from "./thrift-wire-types.js";

const emptyBuffer = Buffer.alloc(0);
const hexByte = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

/**
 * Reads one complete Thrift message in place, from a buffer the caller owns.
 * Every read is checked against the message's end, and every declared size
 * against the bytes left, before anything is allocated: bytes that lie end in a
 * ThriftProtocolError, never in a large allocation or a read past the message.
 * Strings and binaries are copied out, so no value pins the socket's buffer.
 *
 * The results of the header reads (messageBegin, fieldBegin, listBegin,
 * mapBegin) land in fields rather than in a new object per read.
 */
export abstract class ThriftInput {
  buf: Buffer = emptyBuffer;
  pos = 0;
  end = 0;
  /** Structs and containers open around the value being read. */
  protected depth = 0;

  /** Set by messageBegin. */
  name = "";
  messageType = 0;
  seqid = 0;
  /** Set by fieldBegin. */
  fieldId = 0;
  /** Set by listBegin. */
  elementType = 0;
  /** Set by mapBegin. */
  keyType = 0;
  valueType = 0;

  /** Points the input at the message `buf[start, end)`. */
  reset(buf: Buffer, start: number, end: number): void {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    this.depth = 0;
    this.resetNesting();
  }

  /** Lets go of the buffer, so a kept input does not pin a socket chunk. */
  release(): void {
    this.buf = emptyBuffer;
    this.pos = 0;
    this.end = 0;
  }

  /** Bytes of the message not read yet. */
  get remaining(): number {
    return this.end - this.pos;
  }

  protected resetNesting(): void {}

  protected need(bytes: number, what: string): void {
    if (this.pos + bytes > this.end) throw truncated(what);
  }

  /** Checks a declared size against what is left: every element takes at least `bytesEach` bytes. */
  protected checkSize(size: number, bytesEach: number, what: string): void {
    if (size < 0) throw new ThriftProtocolError("malformed", `negative ${what} size ${size}`);
    if (size * bytesEach > this.end - this.pos) {
      throw new ThriftProtocolError("malformed", `${what} declares ${size} elements but ${this.end - this.pos} bytes are left`);
    }
  }

  protected enter(): void {
    if (++this.depth > MAX_THRIFT_DEPTH) {
      throw new ThriftProtocolError("too-deep", `structs and containers nested deeper than ${MAX_THRIFT_DEPTH}`);
    }
  }

  /** Closes a list, set or map. */
  containerEnd(): void {
    this.depth--;
  }

  protected checkName(length: number): void {
    if (length < 0 || length > MAX_MESSAGE_NAME_BYTES) {
      throw new ThriftProtocolError("malformed", `message name of ${length} bytes (at most ${MAX_MESSAGE_NAME_BYTES})`);
    }
  }

  /** `length` bytes at `pos` as UTF-8 (checked against the end first). */
  protected utf8(length: number): string {
    this.checkSize(length, 1, "string");
    const start = this.pos;
    this.pos = start + length;
    return readUtf8(this.buf, start, start + length);
  }

  /** A copy of `length` bytes at `pos`. */
  protected bytes(length: number): Buffer {
    this.checkSize(length, 1, "binary");
    const copy = Buffer.allocUnsafe(length);
    this.buf.copy(copy, 0, this.pos, this.pos + length);
    this.pos += length;
    return copy;
  }

  i8(): number {
    this.need(1, "an i8");
    return (this.buf[this.pos++]! << 24) >> 24;
  }

  /** A uuid's 16 bytes as its canonical lower-case text. */
  uuid(): string {
    this.need(16, "a uuid");
    const buf = this.buf;
    const p = this.pos;
    this.pos = p + 16;
    const h = (i: number): string => hexByte[buf[p + i]!]!;
    return `${h(0)}${h(1)}${h(2)}${h(3)}-${h(4)}${h(5)}-${h(6)}${h(7)}-${h(8)}${h(9)}-${h(10)}${h(11)}${h(12)}${h(13)}${h(14)}${h(15)}`;
  }

  /** Skips a value of type `ttype` (an unknown field, or one whose type is not the declared one). */
  skip(ttype: number): void {
    switch (ttype) {
      case TType.BOOL:
        this.bool();
        return;
      case TType.I8:
        this.need(1, "an i8");
        this.pos++;
        return;
      case TType.I16:
        this.i16();
        return;
      case TType.I32:
        this.i32();
        return;
      case TType.I64:
        this.i64();
        return;
      case TType.DOUBLE:
        this.need(8, "a double");
        this.pos += 8;
        return;
      case TType.STRING: {
        const length = this.binaryLength();
        this.checkSize(length, 1, "string");
        this.pos += length;
        return;
      }
      case TType.UUID:
        this.need(16, "a uuid");
        this.pos += 16;
        return;
      case TType.STRUCT:
        this.structBegin();
        for (let type = this.fieldBegin(); type !== TType.STOP; type = this.fieldBegin()) this.skip(type);
        this.structEnd();
        return;
      case TType.LIST:
      case TType.SET: {
        const size = this.listBegin();
        const element = this.elementType;
        for (let i = 0; i < size; i++) this.skip(element);
        this.containerEnd();
        return;
      }
      case TType.MAP: {
        const size = this.mapBegin();
        const key = this.keyType;
        const value = this.valueType;
        for (let i = 0; i < size; i++) {
          this.skip(key);
          this.skip(value);
        }
        this.containerEnd();
        return;
      }
      default:
        throw new ThriftProtocolError("malformed", `unknown type id ${ttype}`);
    }
  }

  /** Reads the message header into name, messageType and seqid. */
  abstract messageBegin(): void;
  abstract structBegin(): void;
  abstract structEnd(): void;
  /** Reads a field header: returns its type (TType.STOP at the end of the struct) and sets fieldId. */
  abstract fieldBegin(): number;
  /** Reads a list or set header: returns the size and sets elementType. */
  abstract listBegin(): number;
  /** Reads a map header: returns the size and sets keyType and valueType. */
  abstract mapBegin(): number;
  abstract bool(): boolean;
  abstract i16(): number;
  abstract i32(): number;
  /** A number when it is a safe integer, else a bigint. */
  abstract i64(): number | bigint;
  abstract double(): number;

  /** A string or binary is its length prefix (each protocol writes it its own way), then the bytes. */
  string(): string {
    return this.utf8(this.binaryLength());
  }

  binary(): Buffer {
    return this.bytes(this.binaryLength());
  }

  /** The length prefix of a string or binary. */
  protected abstract binaryLength(): number;
}
