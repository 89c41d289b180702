import { writeUtf8 } from "../../wire/buffer-utf8.js";
import type { ThriftOutput } from "./thrift-output.js";
import { ThriftProtocolError } from "./thrift-protocol-error.js";

/**
 * Apache Thrift's THeader format (doc/specs/HeaderFormat.md, THeaderTransport
 * in Apache's C++, Python, Java and Go libraries): inside a TFramedTransport
 * frame,
 *
 *     u16 magic 0x0FFF | u16 flags | i32 sequence id | u16 header size / 4
 *     header: varint protocol id, varint transform count, varint transform ids,
 *             info blocks (varint type; type 1 = key/value: varint count,
 *             then varint-length key and value strings), zero padding
 *     payload: one binary or compact message
 *
 * The info headers are the call's metadata: `traceparent`, `authorization`...
 */
export const HEADER_MAGIC = 0x0fff;

/** THeader's subprotocol ids (JSON, 1, is not spoken by Apache's Python library either). */
export const HeaderProtocolId = { BINARY: 0, COMPACT: 2 } as const;

/** THeader's transform ids. */
export const HeaderTransformId = { ZLIB: 1, SNAPPY: 3 } as const;

/** Info block types: key/value headers, and the C++ library's "persistent" key/value headers (read the same way). */
const INFO_KEY_VALUE = 1;
const INFO_PERSISTENT_KEY_VALUE = 2;

/** The transforms of almost every frame: one shared empty list, no allocation. */
const noTransforms: readonly number[] = Object.freeze([]);
/** Bytes before the header area: magic, flags, sequence id, header size. */
const FIXED_BYTES = 10;
/**
 * Header entries kept per frame: far more than any client sends (a trace
 * context, a token), few enough that a frame of tiny entries cannot make the
 * server build a huge object. The header area itself is at most 256 KiB (its
 * size is a u16 of 4-byte words) and inside a frame already under maxFrameBytes.
 */
export const MAX_HEADER_ENTRIES = 64;
/** Transforms listed per frame: clients apply one (zlib); a long list is not a client's. */
export const MAX_TRANSFORMS = 8;

/** One THeader frame as read by parseHeaderFrame. */
export interface HeaderFrame {
  readonly flags: number;
  readonly seqid: number;
  readonly protocolId: number;
  /** The transforms the client applied to the payload, in the order applied; empty when none. */
  readonly transforms: readonly number[];
  /** Where the payload (one binary or compact message) starts; it ends where the frame does. */
  readonly payloadStart: number;
  /** The info headers, keys lower-cased (as HTTP/2 and gRPC metadata are), undefined when there are none. */
  readonly metadata: Record<string, string> | undefined;
}

/** Does a frame (the bytes after its length) start with THeader's magic? */
export function isHeaderFrame(buf: Buffer, start: number, end: number): boolean {
  return end - start >= 2 && buf[start] === HEADER_MAGIC >>> 8 && buf[start + 1] === (HEADER_MAGIC & 0xff);
}

/**
 * Reads the THeader of the frame at `buf[start, end)` (after its 4-byte
 * length). Throws ThriftProtocolError for anything that breaks the format:
 * the connection cannot be trusted past it.
 */
export function parseHeaderFrame(buf: Buffer, start: number, end: number): HeaderFrame {
  if (end - start < FIXED_BYTES) throw malformed(`a THeader frame of ${end - start} bytes`);
  if (!isHeaderFrame(buf, start, end)) throw malformed("a frame without THeader's magic on a THeader connection");
  const flags = buf.readUInt16BE(start + 2);
  const seqid = buf.readInt32BE(start + 4);
  const headerEnd = start + FIXED_BYTES + buf.readUInt16BE(start + 8) * 4;
  if (headerEnd > end) throw malformed("the THeader header runs past its frame");
  const cursor = new VarintCursor(buf, start + FIXED_BYTES, headerEnd);
  const protocolId = cursor.varint("the protocol id");
  const transformCount = cursor.varint("the transform count");
  if (transformCount > MAX_TRANSFORMS) throw new ThriftProtocolError("too-large", `${transformCount} THeader transforms, over ${MAX_TRANSFORMS}`);
  let transforms: number[] | undefined;
  for (let i = 0; i < transformCount; i++) (transforms ??= []).push(cursor.varint("a transform id"));
  let metadata: Record<string, string> | undefined;
  let entries = 0;
  // Info blocks until the padding (zero bytes) or an unknown block type, which the other libraries skip too.
  while (cursor.at < headerEnd) {
    const type = cursor.varint("an info block type");
    if (type !== INFO_KEY_VALUE && type !== INFO_PERSISTENT_KEY_VALUE) break;
    const count = cursor.varint("an info header count");
    if (entries + count > MAX_HEADER_ENTRIES) {
      throw new ThriftProtocolError("too-large", `over ${MAX_HEADER_ENTRIES} THeader info headers in one frame`);
    }
    entries += count;
    metadata ??= {};
    for (let i = 0; i < count; i++) {
      const key = cursor.string("an info header key").toLowerCase();
      const value = cursor.string("an info header value");
      // Assigning "__proto__" would replace the object's prototype instead of adding an entry.
      if (key === "__proto__") Object.defineProperty(metadata, key, { value, enumerable: true, writable: true, configurable: true });
      else metadata[key] = value;
    }
  }
  return { flags, seqid, protocolId, transforms: transforms ?? noTransforms, payloadStart: headerEnd, metadata };
}

/**
 * A frame's THeader prefix, after its 4-byte length (reserved by the caller and
 * patched by the write batch): magic, `flags`, `seqid`, the header size, the
 * protocol id, no transforms, and `metadata` as one key/value info block (none
 * when it is undefined or empty), padded to whole words. Replies carry no
 * metadata: 14 bytes. Throws RangeError when the metadata does not fit in
 * THeader's header area (0xffff words, 256 KiB).
 */
export function writeHeaderPrefix(
  out: ThriftOutput,
  flags: number,
  seqid: number,
  protocolId: number,
  metadata?: Readonly<Record<string, string>>,
): void {
  out.int32BE(((HEADER_MAGIC << 16) | (flags & 0xffff)) >>> 0);
  out.int32BE(seqid);
  let count = 0;
  // Protocol id (0 or 2) and transform count (0): one byte each.
  let size = 2;
  if (metadata !== undefined) {
    for (const key in metadata) {
      const keyBytes = Buffer.byteLength(key);
      const valueBytes = Buffer.byteLength(metadata[key]!);
      size += varintBytes(keyBytes) + keyBytes + varintBytes(valueBytes) + valueBytes;
      count++;
    }
    if (count > 0) size += 1 + varintBytes(count);
  }
  const words = (size + 3) >>> 2;
  if (words > 0xffff) throw new RangeError(`THeader info headers of ${size} bytes, over THeader's ${0xffff * 4}`);
  out.byte(words >>> 8);
  out.byte(words & 0xff);
  out.byte(protocolId);
  out.byte(0);
  if (count > 0) {
    out.byte(INFO_KEY_VALUE);
    writeVarint(out, count);
    for (const key in metadata) {
      writeString(out, key);
      writeString(out, metadata[key]!);
    }
  }
  for (let pad = words * 4 - size; pad > 0; pad--) out.byte(0);
}

function varintBytes(value: number): number {
  let bytes = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 128);
    bytes++;
  }
  return bytes;
}

function writeVarint(out: ThriftOutput, value: number): void {
  while (value >= 0x80) {
    out.byte((value & 0x7f) | 0x80);
    value = Math.floor(value / 128);
  }
  out.byte(value);
}

function writeString(out: ThriftOutput, text: string): void {
  const bytes = Buffer.byteLength(text);
  writeVarint(out, bytes);
  out.ensure(bytes);
  out.pos += writeUtf8(out.buf, text, out.pos);
}

/** Reads the header area's unsigned LEB128 varints and varint-length strings, never past its end. */
class VarintCursor {
  constructor(
    private readonly buf: Buffer,
    public at: number,
    private readonly end: number,
  ) {}

  varint(what: string): number {
    let value = 0;
    // Five bytes hold every 32-bit value; header fields are never larger.
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.at >= this.end) throw malformed(`the THeader header ends in ${what}`);
      const byte = this.buf[this.at++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) {
        if (value > 0x7fffffff) throw malformed(`${what} of ${value} in the THeader header`);
        return value;
      }
    }
    throw malformed(`${what} in the THeader header is not a varint`);
  }

  string(what: string): string {
    const length = this.varint(what);
    if (length > this.end - this.at) throw malformed(`${what} runs past the THeader header`);
    const text = this.buf.toString("utf8", this.at, this.at + length);
    this.at += length;
    return text;
  }
}

function malformed(message: string): ThriftProtocolError {
  return new ThriftProtocolError("malformed", message);
}
