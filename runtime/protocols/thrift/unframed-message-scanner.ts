import { ThriftProtocolError } from "./thrift-protocol-error.js";
import {
  COMPACT_PROTOCOL_ID,
  COMPACT_VERSION,
  CompactType,
  MAX_MESSAGE_NAME_BYTES,
  MAX_THRIFT_DEPTH,
  TType,
  isValueType,
  ttypeOfCompact,
} from "./thrift-wire-types.js";

const NONE = -1;
const STRUCT_FRAME = 0;
const LIST_FRAME = 1;
const MAP_FRAME = 2;

/**
 * Finds where an unframed (buffered-transport) message ends. The transport
 * sends a message header and a struct with no length in front, so the only way
 * to know that a message is complete is to walk its structure. The walk keeps
 * its place in explicit state (a stack of open structs and containers, the type
 * of the value due next, the bytes of a string still to pass) and resumes where
 * it stopped when more bytes arrive: a message that trickles in is walked once,
 * not once per chunk. Nothing is decoded or allocated; every declared size is
 * checked against the message limit as soon as it is read.
 *
 * Positions are kept relative to the start of the message, so the caller may
 * move its bytes to a bigger buffer between calls.
 */
export class UnframedMessageScanner {
  /** Bytes of the message walked so far. */
  private offset = 0;
  private headerDone = false;
  /** Type of the value that comes next, or NONE when the innermost frame decides. */
  private pending = NONE;
  /** Bytes of a string or binary still to pass. */
  private skipBytes = 0;
  private top = -1;
  private readonly kinds = new Uint8Array(MAX_THRIFT_DEPTH + 1);
  /** Values still to come in each open container (a map counts keys and values). */
  private readonly counts = new Float64Array(MAX_THRIFT_DEPTH + 1);
  /** Element type of each open list, key type << 8 | value type of each open map. */
  private readonly types = new Int32Array(MAX_THRIFT_DEPTH + 1);

  constructor(
    private readonly compact: boolean,
    private readonly maxMessageBytes: number,
  ) {}

  /** Forgets the message walked so far, for the next one. */
  reset(): void {
    this.offset = 0;
    this.headerDone = false;
    this.pending = NONE;
    this.skipBytes = 0;
    this.top = -1;
  }

  /**
   * Walks on through `buf[start + walked, end)`, where `start` is where the
   * message begins. Returns the message's length once it is all there, else -1.
   * Throws ThriftProtocolError for bytes that are not a Thrift message or for a
   * message over the limit.
   */
  scan(buf: Buffer, start: number, end: number): number {
    let p = start + this.offset;
    if (!this.headerDone) {
      const header = this.compact ? this.compactHeader(buf, p, end) : this.binaryHeader(buf, p, end);
      if (header < 0) return this.more(start, p, end);
      p += header;
      this.headerDone = true;
      this.pending = TType.STRUCT;
    }
    for (;;) {
      if (this.skipBytes > 0) {
        const passed = Math.min(this.skipBytes, end - p);
        p += passed;
        this.skipBytes -= passed;
        if (this.skipBytes > 0) return this.more(start, p, end);
      }
      if (this.pending !== NONE) {
        const used = this.value(buf, p, end, start);
        if (used < 0) return this.more(start, p, end);
        p += used;
        continue;
      }
      if (this.top < 0) {
        this.offset = p - start;
        return this.offset;
      }
      const kind = this.kinds[this.top]!;
      if (kind === STRUCT_FRAME) {
        const used = this.compact ? this.compactField(buf, p, end) : this.binaryField(buf, p, end);
        if (used < 0) return this.more(start, p, end);
        p += used;
      } else {
        const left = this.counts[this.top]!;
        if (left === 0) {
          this.top--;
          continue;
        }
        this.counts[this.top] = left - 1;
        const types = this.types[this.top]!;
        // A map's values alternate key, value, key...: an even count left means a key is next.
        this.pending = kind === LIST_FRAME ? types : left % 2 === 0 ? types >>> 8 : types & 0xff;
      }
    }
  }

  /** Remembers how far the walk got and asks for more bytes, unless the message is already too large. */
  private more(start: number, p: number, end: number): number {
    this.offset = p - start;
    if (end - start > this.maxMessageBytes) {
      throw new ThriftProtocolError("too-large", `unframed message of more than ${this.maxMessageBytes} bytes`);
    }
    return -1;
  }

  /** Bytes a value may still declare, given where the walk is. */
  private room(p: number, start: number): number {
    return this.maxMessageBytes - (p - start);
  }

  private push(kind: number, count: number, types: number): void {
    if (this.top + 1 >= MAX_THRIFT_DEPTH) {
      throw new ThriftProtocolError("too-deep", `structs and containers nested deeper than ${MAX_THRIFT_DEPTH}`);
    }
    this.top++;
    this.kinds[this.top] = kind;
    this.counts[this.top] = count;
    this.types[this.top] = types;
  }

  // ---- message headers: read whole or not at all ----

  private binaryHeader(buf: Buffer, p: number, end: number): number {
    if (end - p < 4) return -1;
    const first = buf.readInt32BE(p);
    if (first < 0) {
      if ((first & 0xffff0000) !== (0x80010000 | 0)) {
        throw new ThriftProtocolError("malformed", `unsupported binary protocol version 0x${(first >>> 16).toString(16)}`);
      }
      if (end - p < 8) return -1;
      const nameLength = checkedNameLength(buf.readInt32BE(p + 4));
      const total = 8 + nameLength + 4;
      return end - p < total ? -1 : total;
    }
    const nameLength = checkedNameLength(first);
    const total = 4 + nameLength + 1 + 4;
    return end - p < total ? -1 : total;
  }

  private compactHeader(buf: Buffer, p: number, end: number): number {
    if (end - p < 2) return -1;
    if (buf[p] !== COMPACT_PROTOCOL_ID || (buf[p + 1]! & 0x1f) !== COMPACT_VERSION) {
      throw new ThriftProtocolError("malformed", "not a compact protocol message header");
    }
    const seqidBytes = varintBytes(buf, p + 2, end, 5);
    if (seqidBytes < 0) return -1;
    const lengthAt = p + 2 + seqidBytes;
    const lengthBytes = varintBytes(buf, lengthAt, end, 5);
    if (lengthBytes < 0) return -1;
    const nameLength = checkedNameLength(readVarint32(buf, lengthAt));
    const total = 2 + seqidBytes + lengthBytes + nameLength;
    return end - p < total ? -1 : total;
  }

  // ---- field headers ----

  private binaryField(buf: Buffer, p: number, end: number): number {
    if (p >= end) return -1;
    const type = buf[p]!;
    if (type === TType.STOP) {
      this.top--;
      return 1;
    }
    if (!isValueType(type)) throw new ThriftProtocolError("malformed", `field of unknown type id ${type}`);
    if (end - p < 3) return -1;
    this.pending = type;
    return 3;
  }

  private compactField(buf: Buffer, p: number, end: number): number {
    if (p >= end) return -1;
    const byte = buf[p]!;
    if (byte === CompactType.STOP) {
      this.top--;
      return 1;
    }
    const compactType = byte & 0x0f;
    const ttype = ttypeOfCompact[compactType]!;
    if (ttype === 0) throw new ThriftProtocolError("malformed", `field of unknown compact type id ${compactType}`);
    let used = 1;
    if (byte >>> 4 === 0) {
      // Long form: the field id follows as a zigzag varint.
      const idBytes = varintBytes(buf, p + 1, end, 3);
      if (idBytes < 0) return -1;
      used += idBytes;
    }
    // A bool field's value is its type id: nothing follows.
    if (ttype !== TType.BOOL) this.pending = ttype;
    return used;
  }

  // ---- values ----

  /** Passes one value of the pending type (or opens it); returns the bytes used, or -1 when more are needed. */
  private value(buf: Buffer, p: number, end: number, start: number): number {
    const type = this.pending;
    const available = end - p;
    const compact = this.compact;
    let used: number;
    switch (type) {
      case TType.BOOL:
      case TType.I8:
        used = available >= 1 ? 1 : -1;
        break;
      case TType.DOUBLE:
        used = available >= 8 ? 8 : -1;
        break;
      case TType.UUID:
        used = available >= 16 ? 16 : -1;
        break;
      case TType.I16:
        used = compact ? varintBytes(buf, p, end, 5) : available >= 2 ? 2 : -1;
        break;
      case TType.I32:
        used = compact ? varintBytes(buf, p, end, 5) : available >= 4 ? 4 : -1;
        break;
      case TType.I64:
        used = compact ? varintBytes(buf, p, end, 10) : available >= 8 ? 8 : -1;
        break;
      case TType.STRING:
        used = this.stringHeader(buf, p, end, start);
        break;
      case TType.STRUCT:
        this.push(STRUCT_FRAME, 0, 0);
        used = 0;
        break;
      case TType.LIST:
      case TType.SET:
        used = compact ? this.compactList(buf, p, end, start) : this.binaryList(buf, p, end, start);
        break;
      case TType.MAP:
        used = compact ? this.compactMap(buf, p, end, start) : this.binaryMap(buf, p, end, start);
        break;
      default:
        throw new ThriftProtocolError("malformed", `value of unknown type id ${type}`);
    }
    if (used >= 0) this.pending = NONE;
    return used;
  }

  /** A string's or binary's length prefix; its bytes are then passed by `skipBytes`. */
  private stringHeader(buf: Buffer, p: number, end: number, start: number): number {
    let length: number;
    let used: number;
    if (this.compact) {
      used = varintBytes(buf, p, end, 5);
      if (used < 0) return -1;
      length = readVarint32(buf, p);
    } else {
      if (end - p < 4) return -1;
      length = buf.readInt32BE(p);
      used = 4;
    }
    this.checkDeclared(length, 1, "string", p, start);
    this.skipBytes = length;
    return used;
  }

  private binaryList(buf: Buffer, p: number, end: number, start: number): number {
    if (end - p < 5) return -1;
    const element = buf[p]!;
    const size = buf.readInt32BE(p + 1);
    this.checkDeclared(size, 1, "list", p, start);
    if (size > 0 && !isValueType(element)) throw new ThriftProtocolError("malformed", `list of unknown type id ${element}`);
    this.push(LIST_FRAME, size, element);
    return 5;
  }

  private compactList(buf: Buffer, p: number, end: number, start: number): number {
    if (p >= end) return -1;
    const byte = buf[p]!;
    let size = byte >>> 4;
    let used = 1;
    if (size === 15) {
      const sizeBytes = varintBytes(buf, p + 1, end, 5);
      if (sizeBytes < 0) return -1;
      size = readVarint32(buf, p + 1);
      used += sizeBytes;
    }
    this.checkDeclared(size, 1, "list", p, start);
    const element = ttypeOfCompact[byte & 0x0f]!;
    if (size > 0 && element === 0) throw new ThriftProtocolError("malformed", `list of unknown compact type id ${byte & 0x0f}`);
    this.push(LIST_FRAME, size, element);
    return used;
  }

  private binaryMap(buf: Buffer, p: number, end: number, start: number): number {
    if (end - p < 6) return -1;
    const key = buf[p]!;
    const value = buf[p + 1]!;
    const size = buf.readInt32BE(p + 2);
    this.checkDeclared(size, 2, "map", p, start);
    if (size > 0 && !(isValueType(key) && isValueType(value))) {
      throw new ThriftProtocolError("malformed", `map of unknown type ids ${key}, ${value}`);
    }
    this.push(MAP_FRAME, size * 2, (key << 8) | value);
    return 6;
  }

  private compactMap(buf: Buffer, p: number, end: number, start: number): number {
    const sizeBytes = varintBytes(buf, p, end, 5);
    if (sizeBytes < 0) return -1;
    const size = readVarint32(buf, p);
    if (size === 0) {
      this.push(MAP_FRAME, 0, 0);
      return sizeBytes;
    }
    if (end - p < sizeBytes + 1) return -1;
    this.checkDeclared(size, 2, "map", p, start);
    const types = buf[p + sizeBytes]!;
    const key = ttypeOfCompact[types >>> 4]!;
    const value = ttypeOfCompact[types & 0x0f]!;
    if (key === 0 || value === 0)
      throw new ThriftProtocolError("malformed", `map of unknown compact type ids 0x${types.toString(16)}`);
    this.push(MAP_FRAME, size * 2, (key << 8) | value);
    return sizeBytes + 1;
  }

  /** A declared size must be non-negative and fit what the message may still hold (each element at least `bytesEach`). */
  private checkDeclared(size: number, bytesEach: number, what: string, p: number, start: number): void {
    if (size < 0 || size > 0x7fffffff) throw new ThriftProtocolError("malformed", `${what} of size ${size}`);
    if (size * bytesEach > this.room(p, start)) {
      throw new ThriftProtocolError(
        "too-large",
        `${what} of ${size} elements declared, more than the ${this.maxMessageBytes}-byte message limit can hold`,
      );
    }
  }
}

/** Length of the varint at `p` if it ends before `end`; -1 if its last byte has not arrived; throws past `maxBytes`. */
function varintBytes(buf: Buffer, p: number, end: number, maxBytes: number): number {
  for (let i = 0; i < maxBytes; i++) {
    if (p + i >= end) return -1;
    if (buf[p + i]! < 0x80) return i + 1;
  }
  throw new ThriftProtocolError("malformed", `varint longer than ${maxBytes} bytes`);
}

/** The unsigned value of a complete varint of at most 5 bytes. */
function readVarint32(buf: Buffer, p: number): number {
  let value = 0;
  for (let shift = 0; ; shift += 7) {
    const byte = buf[p++]!;
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return value;
  }
}

function checkedNameLength(length: number): number {
  if (length < 0 || length > MAX_MESSAGE_NAME_BYTES) {
    throw new ThriftProtocolError("malformed", `message name of ${length} bytes (at most ${MAX_MESSAGE_NAME_BYTES})`);
  }
  return length;
}
