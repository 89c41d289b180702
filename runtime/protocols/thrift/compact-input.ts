import { ThriftInput } from "./thrift-input.js";
import { ThriftProtocolError, truncated } from "./thrift-protocol-error.js";
import { COMPACT_PROTOCOL_ID, COMPACT_VERSION, CompactType, TType, ttypeOfCompact } from "./thrift-wire-types.js";

/** Varint bytes whose payload (7 bits each) stays below 2^49, exact in a double. */
const exactVarintBytes = 7;

/** TCompactProtocol input. */
export class CompactInput extends ThriftInput {
  private lastFieldId = 0;
  private readonly fieldIdStack: number[] = [];
  /** The value of a bool field, carried in its header and handed out by the next bool(). */
  private pendingBool: boolean | undefined = undefined;

  protected override resetNesting(): void {
    this.lastFieldId = 0;
    this.fieldIdStack.length = 0;
    this.pendingBool = undefined;
  }

  messageBegin(): void {
    this.need(2, "a message header");
    const id = this.buf[this.pos]!;
    const versionAndType = this.buf[this.pos + 1]!;
    if (id !== COMPACT_PROTOCOL_ID || (versionAndType & 0x1f) !== COMPACT_VERSION) {
      throw new ThriftProtocolError(
        "malformed",
        `not a compact protocol message header (0x${id.toString(16)} 0x${versionAndType.toString(16)})`,
      );
    }
    this.pos += 2;
    this.messageType = versionAndType >>> 5;
    this.seqid = this.varint32() | 0;
    const length = this.varint32();
    this.checkName(length);
    this.name = this.utf8(length);
  }

  structBegin(): void {
    this.enter();
    this.fieldIdStack.push(this.lastFieldId);
    this.lastFieldId = 0;
  }

  structEnd(): void {
    this.lastFieldId = this.fieldIdStack.pop() ?? 0;
    this.depth--;
  }

  fieldBegin(): number {
    this.need(1, "a field header");
    const byte = this.buf[this.pos++]!;
    if (byte === CompactType.STOP) return TType.STOP;
    const compactType = byte & 0x0f;
    const delta = byte >>> 4;
    const id = delta !== 0 ? this.lastFieldId + delta : this.zigzag16();
    this.lastFieldId = id;
    this.fieldId = id;
    const ttype = ttypeOfCompact[compactType]!;
    if (ttype === 0) throw new ThriftProtocolError("malformed", `unknown compact type id ${compactType}`);
    if (ttype === TType.BOOL) this.pendingBool = compactType === CompactType.BOOLEAN_TRUE;
    return ttype;
  }

  listBegin(): number {
    this.enter();
    this.need(1, "a list header");
    const byte = this.buf[this.pos++]!;
    let size = byte >>> 4;
    if (size === 15) size = this.size();
    this.checkSize(size, 1, "list");
    this.elementType = ttypeOfCompact[byte & 0x0f]!;
    if (size > 0 && this.elementType === 0) {
      throw new ThriftProtocolError("malformed", `list of unknown compact type id ${byte & 0x0f}`);
    }
    return size;
  }

  mapBegin(): number {
    this.enter();
    const size = this.size();
    if (size === 0) {
      this.keyType = 0;
      this.valueType = 0;
      return 0;
    }
    this.checkSize(size, 2, "map");
    this.need(1, "a map header");
    const types = this.buf[this.pos++]!;
    this.keyType = ttypeOfCompact[types >>> 4]!;
    this.valueType = ttypeOfCompact[types & 0x0f]!;
    if (this.keyType === 0 || this.valueType === 0) {
      throw new ThriftProtocolError("malformed", `map of unknown compact type ids 0x${types.toString(16)}`);
    }
    return size;
  }

  bool(): boolean {
    const pending = this.pendingBool;
    if (pending !== undefined) {
      this.pendingBool = undefined;
      return pending;
    }
    this.need(1, "a bool");
    const byte = this.buf[this.pos++]!;
    // Apache's libraries write 1 and 2 (the field header's TRUE and FALSE); the spec says 1 and 0.
    if (byte === 1) return true;
    if (byte === 0 || byte === 2) return false;
    throw new ThriftProtocolError("malformed", `bool element of value ${byte}`);
  }

  i16(): number {
    return this.zigzag32();
  }

  i32(): number {
    return this.zigzag32();
  }

  i64(): number | bigint {
    const buf = this.buf;
    const start = this.pos;
    let value = 0;
    let multiplier = 1;
    for (let i = 0; i < exactVarintBytes; i++) {
      if (start + i >= this.end) throw truncated("an i64");
      const byte = buf[start + i]!;
      value += (byte & 0x7f) * multiplier;
      if (byte < 0x80) {
        this.pos = start + i + 1;
        return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
      }
      multiplier *= 0x80;
    }
    return this.i64Big();
  }

  /** An i64 whose varint is longer than 7 bytes: read again as a bigint. */
  private i64Big(): number | bigint {
    const buf = this.buf;
    let zigzag = 0n;
    let shift = 0n;
    for (let i = 0; ; i++) {
      if (i === 10) throw new ThriftProtocolError("malformed", "varint longer than 10 bytes");
      if (this.pos >= this.end) throw truncated("an i64");
      const byte = buf[this.pos++]!;
      zigzag |= BigInt(byte & 0x7f) << shift;
      if (byte < 0x80) break;
      shift += 7n;
    }
    zigzag = BigInt.asUintN(64, zigzag);
    const value = BigInt.asIntN(64, (zigzag >> 1n) ^ -(zigzag & 1n));
    return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value;
  }

  double(): number {
    this.need(8, "a double");
    const value = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return value;
  }

  protected binaryLength(): number {
    return this.size();
  }

  /** A varint size: a non-negative int32. */
  private size(): number {
    const size = this.varint32();
    if (size > 0x7fffffff) throw new ThriftProtocolError("malformed", `size ${size} does not fit an i32`);
    return size;
  }

  private zigzag16(): number {
    const value = this.zigzag32();
    if (value < -32768 || value > 32767) throw new ThriftProtocolError("malformed", `field id ${value} does not fit an i16`);
    return value;
  }

  private zigzag32(): number {
    const zigzag = this.varint32();
    return (zigzag >>> 1) ^ -(zigzag & 1);
  }

  /** An unsigned 32-bit varint (at most 5 bytes). */
  varint32(): number {
    const buf = this.buf;
    let pos = this.pos;
    if (pos < this.end) {
      const first = buf[pos]!;
      if (first < 0x80) {
        this.pos = pos + 1;
        return first;
      }
    }
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (pos >= this.end) throw truncated("a varint");
      const byte = buf[pos++]!;
      value |= (byte & 0x7f) << shift;
      if (byte < 0x80) {
        this.pos = pos;
        return value >>> 0;
      }
    }
    throw new ThriftProtocolError("malformed", "varint longer than 5 bytes");
  }
}
