import { ThriftInput } from "./thrift-input.js";
import { ThriftProtocolError } from "./thrift-protocol-error.js";
import { TType, isValueType } from "./thrift-wire-types.js";

const TWO_POW_32 = 2 ** 32;

/** TBinaryProtocol input; reads strict and old-style (non-strict) message headers alike. */
export class BinaryInput extends ThriftInput {
  /** True when the last message header was strict (version first). */
  strict = true;

  messageBegin(): void {
    this.need(4, "a message header");
    const first = this.buf.readInt32BE(this.pos);
    if (first < 0) {
      if ((first & 0xffff0000) !== (0x80010000 | 0)) {
        throw new ThriftProtocolError("malformed", `unsupported binary protocol version 0x${(first >>> 16).toString(16)}`);
      }
      this.pos += 4;
      this.strict = true;
      this.messageType = first & 0xff;
      const length = this.int32();
      this.checkName(length);
      this.name = this.utf8(length);
      this.seqid = this.int32();
      return;
    }
    this.strict = false;
    this.pos += 4;
    this.checkName(first);
    this.name = this.utf8(first);
    this.need(5, "a message header");
    this.messageType = this.buf[this.pos++]!;
    this.seqid = this.int32();
  }

  structBegin(): void {
    this.enter();
  }

  structEnd(): void {
    this.depth--;
  }

  fieldBegin(): number {
    this.need(1, "a field header");
    const type = this.buf[this.pos++]!;
    if (type === TType.STOP) return type;
    this.need(2, "a field header");
    this.fieldId = ((this.buf[this.pos]! << 24) >> 16) | this.buf[this.pos + 1]!;
    this.pos += 2;
    return type;
  }

  listBegin(): number {
    this.enter();
    this.need(5, "a list header");
    this.elementType = this.buf[this.pos++]!;
    const size = this.int32();
    this.checkSize(size, 1, "list");
    if (size > 0 && !isValueType(this.elementType)) {
      throw new ThriftProtocolError("malformed", `list of unknown type id ${this.elementType}`);
    }
    return size;
  }

  mapBegin(): number {
    this.enter();
    this.need(6, "a map header");
    this.keyType = this.buf[this.pos++]!;
    this.valueType = this.buf[this.pos++]!;
    const size = this.int32();
    this.checkSize(size, 2, "map");
    if (size > 0 && !(isValueType(this.keyType) && isValueType(this.valueType))) {
      throw new ThriftProtocolError("malformed", `map of unknown type ids ${this.keyType}, ${this.valueType}`);
    }
    return size;
  }

  bool(): boolean {
    this.need(1, "a bool");
    return this.buf[this.pos++] !== 0;
  }

  i16(): number {
    this.need(2, "an i16");
    const value = ((this.buf[this.pos]! << 24) >> 16) | this.buf[this.pos + 1]!;
    this.pos += 2;
    return value;
  }

  i32(): number {
    this.need(4, "an i32");
    return this.int32();
  }

  i64(): number | bigint {
    this.need(8, "an i64");
    const high = this.buf.readInt32BE(this.pos);
    const low = this.buf.readUInt32BE(this.pos + 4);
    this.pos += 8;
    const value = high * TWO_POW_32 + low;
    if (Number.isSafeInteger(value)) return value;
    return (BigInt(high) << 32n) | BigInt(low);
  }

  double(): number {
    this.need(8, "a double");
    const value = this.buf.readDoubleBE(this.pos);
    this.pos += 8;
    return value;
  }

  protected binaryLength(): number {
    this.need(4, "a length");
    return this.int32();
  }

  /** A big-endian int32 at pos (bounds already checked by the caller or here). */
  private int32(): number {
    this.need(4, "an i32");
    const buf = this.buf;
    const pos = this.pos;
    this.pos = pos + 4;
    return (buf[pos]! << 24) | (buf[pos + 1]! << 16) | (buf[pos + 2]! << 8) | buf[pos + 3]!;
  }
}
