import { ThriftOutput } from "./thrift-output.js";
import { COMPACT_PROTOCOL_ID, COMPACT_VERSION, CompactType, compactTypeOf } from "./thrift-wire-types.js";

/** Numbers whose zigzag form is exact in a double: |n| <= 2^52. */
const MAX_EXACT_ZIGZAG = 2 ** 52;
/** Strings longer than this have their UTF-8 length measured; shorter ones fit a 1-byte varint length at 3 bytes a char. */
const oneByteLengthChars = 42;

/**
 * TCompactProtocol: zigzag varints, field ids as deltas packed with the type in
 * one byte, bools in the field header, little-endian doubles.
 */
export class CompactOutput extends ThriftOutput {
  /** Id of the last field written in the open struct (the compact protocol writes deltas). */
  private lastFieldId = 0;
  /** The enclosing structs' last field ids. */
  private readonly fieldIdStack: number[] = [];

  messageBegin(name: string, type: number, seqid: number): void {
    this.ensure(2);
    this.buf[this.pos++] = COMPACT_PROTOCOL_ID;
    this.buf[this.pos++] = (type << 5) | COMPACT_VERSION;
    this.varint32(seqid >>> 0);
    this.string(name);
  }

  structBegin(): void {
    this.enter();
    this.fieldIdStack.push(this.lastFieldId);
    this.lastFieldId = 0;
  }

  structEnd(): void {
    this.byte(CompactType.STOP);
    this.lastFieldId = this.fieldIdStack.pop() ?? 0;
    this.leave();
  }

  protected override resetNesting(): void {
    this.lastFieldId = 0;
    this.fieldIdStack.length = 0;
  }

  fieldBegin(ttype: number, id: number): void {
    this.header(compactTypeOf[ttype]!, id);
  }

  boolField(id: number, value: boolean): void {
    this.header(value ? CompactType.BOOLEAN_TRUE : CompactType.BOOLEAN_FALSE, id);
  }

  private header(compactType: number, id: number): void {
    const delta = id - this.lastFieldId;
    if (delta > 0 && delta <= 15) {
      this.byte((delta << 4) | compactType);
    } else {
      this.byte(compactType);
      this.varint32(zigzag32(id));
    }
    this.lastFieldId = id;
  }

  listBegin(elementType: number, size: number): void {
    this.enter();
    const compactType = compactTypeOf[elementType]!;
    if (size < 15) {
      this.byte((size << 4) | compactType);
    } else {
      this.byte(0xf0 | compactType);
      this.varint32(size);
    }
  }

  mapBegin(keyType: number, valueType: number, size: number): void {
    this.enter();
    if (size === 0) {
      this.byte(0);
      return;
    }
    this.varint32(size);
    this.byte((compactTypeOf[keyType]! << 4) | compactTypeOf[valueType]!);
  }

  bool(value: boolean): void {
    // As Apache's libraries write bool elements: the field header's TRUE and FALSE ids.
    this.byte(value ? CompactType.BOOLEAN_TRUE : CompactType.BOOLEAN_FALSE);
  }

  i8(value: number): void {
    this.byte(value);
  }

  i16(value: number): void {
    this.varint32(zigzag32(value));
  }

  i32(value: number): void {
    this.varint32(zigzag32(value));
  }

  i64(value: number | bigint): void {
    if (typeof value === "number") {
      if (value >= -0x80000000 && value <= 0x7fffffff) {
        // The zigzag form of a 32-bit value is the same in 32 and 64 bits.
        this.varint32(zigzag32(value));
        return;
      }
      if (value >= -MAX_EXACT_ZIGZAG && value <= MAX_EXACT_ZIGZAG) {
        this.varintNumber(value >= 0 ? value * 2 : -value * 2 - 1);
        return;
      }
      value = BigInt(value);
    }
    this.varintBig(BigInt.asUintN(64, (value << 1n) ^ (value >> 63n)));
  }

  double(value: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }

  binary(bytes: Uint8Array): void {
    this.varint32(bytes.length);
    this.raw(bytes);
  }

  string(text: string): void {
    if (text.length <= oneByteLengthChars) {
      // At most 126 bytes: the varint length is one byte, written after the text.
      this.ensure(1 + text.length * 3);
      const length = this.utf8At(text, this.pos + 1);
      this.buf[this.pos] = length;
      this.pos += 1 + length;
      return;
    }
    const length = Buffer.byteLength(text, "utf8");
    this.varint32(length);
    this.ensure(length);
    this.pos += this.utf8At(text, this.pos);
  }

  /** An unsigned 32-bit value as a varint. */
  varint32(value: number): void {
    this.ensure(5);
    const buf = this.buf;
    let pos = this.pos;
    while (value > 0x7f) {
      buf[pos++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    buf[pos++] = value;
    this.pos = pos;
  }

  /** A non-negative integer below 2^53 as a varint. */
  private varintNumber(value: number): void {
    this.ensure(8);
    const buf = this.buf;
    let pos = this.pos;
    while (value >= 0x80) {
      buf[pos++] = (value % 0x80) | 0x80;
      value = Math.floor(value / 0x80);
    }
    buf[pos++] = value;
    this.pos = pos;
  }

  /** An unsigned 64-bit bigint as a varint. */
  private varintBig(value: bigint): void {
    this.ensure(10);
    while (value >= 0x80n) {
      this.buf[this.pos++] = Number(value & 0x7fn) | 0x80;
      value >>= 7n;
    }
    this.buf[this.pos++] = Number(value);
  }
}

/** The zigzag form of a 32-bit signed integer, as an unsigned number. */
function zigzag32(value: number): number {
  return ((value << 1) ^ (value >> 31)) >>> 0;
}
