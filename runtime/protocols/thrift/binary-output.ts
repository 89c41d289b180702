import { ThriftOutput } from "./thrift-output.js";
import { TType } from "./thrift-wire-types.js";

const TWO_POW_32 = 2 ** 32;
/** Strings longer than this have their UTF-8 length measured rather than room for three bytes a char reserved. */
const measureAbove = 4096;

/**
 * TBinaryProtocol: fixed-width big-endian integers, 4-byte lengths. Message
 * headers are strict (version 0x8001 first) unless `strict` is false, for peers
 * that sent the old form.
 */
export class BinaryOutput extends ThriftOutput {
  constructor(private readonly strict = true) {
    super();
  }

  messageBegin(name: string, type: number, seqid: number): void {
    if (this.strict) {
      this.int32BE((0x80010000 | type) >>> 0);
      this.string(name);
    } else {
      this.string(name);
      this.byte(type);
    }
    this.int32BE(seqid);
  }

  structBegin(): void {
    this.enter();
  }

  structEnd(): void {
    this.byte(TType.STOP);
    this.leave();
  }

  fieldBegin(ttype: number, id: number): void {
    this.ensure(3);
    const buf = this.buf;
    const pos = this.pos;
    buf[pos] = ttype;
    buf[pos + 1] = id >> 8;
    buf[pos + 2] = id;
    this.pos = pos + 3;
  }

  boolField(id: number, value: boolean): void {
    this.fieldBegin(TType.BOOL, id);
    this.byte(value ? 1 : 0);
  }

  listBegin(elementType: number, size: number): void {
    this.enter();
    this.byte(elementType);
    this.int32BE(size);
  }

  mapBegin(keyType: number, valueType: number, size: number): void {
    this.enter();
    this.ensure(2);
    this.buf[this.pos++] = keyType;
    this.buf[this.pos++] = valueType;
    this.int32BE(size);
  }

  bool(value: boolean): void {
    this.byte(value ? 1 : 0);
  }

  i8(value: number): void {
    this.byte(value);
  }

  i16(value: number): void {
    this.ensure(2);
    this.buf[this.pos++] = value >> 8;
    this.buf[this.pos++] = value;
  }

  i32(value: number): void {
    this.int32BE(value);
  }

  i64(value: number | bigint): void {
    if (typeof value === "number") {
      // Exact: |value| < 2^53, so the high word is a small integer and the low word exact.
      const high = Math.floor(value / TWO_POW_32);
      this.int32BE(high);
      this.int32BE(value - high * TWO_POW_32);
      return;
    }
    const bits = BigInt.asUintN(64, value);
    this.int32BE(Number(bits >> 32n));
    this.int32BE(Number(bits & 0xffffffffn));
  }

  double(value: number): void {
    this.ensure(8);
    this.buf.writeDoubleBE(value, this.pos);
    this.pos += 8;
  }

  binary(bytes: Uint8Array): void {
    this.int32BE(bytes.length);
    this.raw(bytes);
  }

  string(text: string): void {
    if (text.length > measureAbove) {
      const length = Buffer.byteLength(text, "utf8");
      this.int32BE(length);
      this.ensure(length);
      this.pos += this.utf8At(text, this.pos);
      return;
    }
    this.ensure(4 + text.length * 3);
    const length = this.utf8At(text, this.pos + 4);
    this.int32BE(length);
    this.pos += length;
  }
}
