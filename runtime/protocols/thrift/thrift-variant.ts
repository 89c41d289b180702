import { HEADER_MAGIC, HeaderProtocolId } from "./theader-frame.js";
import {
  BINARY_VERSION_HIGH,
  BINARY_VERSION_LOW,
  COMPACT_PROTOCOL_ID,
  COMPACT_VERSION,
  MAX_MESSAGE_NAME_BYTES,
  MessageType,
} from "./thrift-wire-types.js";

/** The transport and protocol a Thrift connection speaks, told by its first bytes. */
export interface ThriftVariant {
  /** TFramedTransport (a 4-byte length before each message) rather than the unframed (buffered) transport. */
  readonly framed: boolean;
  /** TCompactProtocol rather than TBinaryProtocol. */
  readonly compact: boolean;
  /** Binary protocol only: the message header starts with the version (strict) rather than the name (old form). */
  readonly strict: boolean;
  /** THeader (framed, with info headers before each message); present only then. */
  readonly header?: true;
}

/** Name bytes seen that make an old-form (non-strict) binary header believable when the rest has not arrived. */
const believableNameBytes = 16;

/**
 * Tells which Thrift variant a connection speaks from its first bytes, "need-more"
 * when they do not tell yet, undefined when they are not Thrift (see the table in
 * docs/PROTOCOL.md). A first message is a call or a oneway call:
 * - unframed strict binary: `80 01 ?? 01|04`
 * - unframed compact: `82`, then type 1 or 4 in the top 3 bits and version 1 below
 * - framed: a length whose first byte is 0 (frames under 16 MiB), then one of those
 * - unframed old-form binary: a name length (first byte 0), a name of identifier
 *   characters, then type 1 or 4; framed, the same after the frame length.
 * - THeader: a frame length, `0F FF` (the magic), flags, sequence id, header
 *   size, then the protocol id (0 binary, 2 compact) at byte 14.
 * None of these starts like rpcgen's frames (0xB5), RESP (`*`, `$`, letters...),
 * HTTP (letters) or TLS (0x16).
 */
export function classifyThriftHead(head: Buffer): ThriftVariant | "need-more" | undefined {
  if (head.length === 0) return "need-more";
  const first = head[0]!;
  if (first === BINARY_VERSION_HIGH || first === COMPACT_PROTOCOL_ID) return messageHeader(head, 0, false);
  if (first !== 0) return undefined;
  if (head.length < 5) return "need-more";
  const fifth = head[4]!;
  if (fifth === BINARY_VERSION_HIGH || fifth === COMPACT_PROTOCOL_ID) {
    // A frame's length, then a strict binary or compact header.
    return head.readInt32BE(0) >= 4 ? messageHeader(head, 4, true) : undefined;
  }
  if (fifth === HEADER_MAGIC >>> 8) return theaderHead(head);
  if (fifth === 0) {
    // A frame's length, then an old-form binary header (its name length starts with 0).
    if (head.length < 8) return "need-more";
    return head.readInt32BE(0) >= 9 ? oldFormHeader(head, 4, true) : undefined;
  }
  return oldFormHeader(head, 0, false);
}

/** A THeader frame: its magic, a header of at least one word, and a protocol id it can carry. */
function theaderHead(head: Buffer): ThriftVariant | "need-more" | undefined {
  if (head.length < 6) return "need-more";
  if (head[5] !== (HEADER_MAGIC & 0xff)) return undefined;
  // Magic, flags, sequence id, header size and one word of header at least.
  if (head.readInt32BE(0) < 14) return undefined;
  if (head.length < 15) return "need-more";
  if (head.readUInt16BE(12) === 0) return undefined;
  const protocolId = head[14];
  if (protocolId !== HeaderProtocolId.BINARY && protocolId !== HeaderProtocolId.COMPACT) return undefined;
  return { framed: true, compact: protocolId === HeaderProtocolId.COMPACT, strict: true, header: true };
}

/** A strict binary or compact call header at `at`. */
function messageHeader(head: Buffer, at: number, framed: boolean): ThriftVariant | "need-more" | undefined {
  if (head[at] === COMPACT_PROTOCOL_ID) {
    if (head.length < at + 2) return "need-more";
    const versionAndType = head[at + 1]!;
    if ((versionAndType & 0x1f) !== COMPACT_VERSION || !isCallType(versionAndType >>> 5)) return undefined;
    return { framed, compact: true, strict: true };
  }
  if (head.length < at + 4) return "need-more";
  if (head[at + 1] !== BINARY_VERSION_LOW || !isCallType(head[at + 3]!)) return undefined;
  return { framed, compact: false, strict: true };
}

/** An old-form binary header at `at`: name length, name, message type. */
function oldFormHeader(head: Buffer, at: number, framed: boolean): ThriftVariant | "need-more" | undefined {
  const nameLength = head.readInt32BE(at);
  if (nameLength < 1 || nameLength > MAX_MESSAGE_NAME_BYTES) return undefined;
  const nameStart = at + 4;
  const seen = Math.min(nameLength, head.length - nameStart);
  for (let i = 0; i < seen; i++) {
    if (!isNameByte(head[nameStart + i]!)) return undefined;
  }
  const typeAt = nameStart + nameLength;
  if (head.length > typeAt) return isCallType(head[typeAt]!) ? { framed, compact: false, strict: false } : undefined;
  return seen >= believableNameBytes ? { framed, compact: false, strict: false } : "need-more";
}

function isCallType(type: number): boolean {
  return type === MessageType.CALL || type === MessageType.ONEWAY;
}

/** Letters, digits, `_`, `.` and `:` (the multiplexed `Service:method`). */
function isNameByte(byte: number): boolean {
  return (
    (byte >= 0x61 && byte <= 0x7a) ||
    (byte >= 0x41 && byte <= 0x5a) ||
    (byte >= 0x30 && byte <= 0x3a) ||
    byte === 0x5f ||
    byte === 0x2e
  );
}
