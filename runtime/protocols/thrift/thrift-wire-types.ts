/**
 * The numbers Apache Thrift puts on the wire (doc/specs/thrift-binary-protocol.md,
 * thrift-compact-protocol.md, thrift-rpc.md). The value codec speaks in binary
 * type ids (`TType`) everywhere; the compact protocol maps them to its own ids at
 * the edge.
 */

/** Type ids of the binary protocol, and the type ids the value codec uses for both protocols. */
export const TType = {
  STOP: 0,
  BOOL: 2,
  I8: 3,
  DOUBLE: 4,
  I16: 6,
  I32: 8,
  I64: 10,
  STRING: 11,
  STRUCT: 12,
  MAP: 13,
  SET: 14,
  LIST: 15,
  UUID: 16,
} as const;
export type TType = (typeof TType)[keyof typeof TType];

/** Message types of a message header. */
export const MessageType = {
  CALL: 1,
  REPLY: 2,
  EXCEPTION: 3,
  ONEWAY: 4,
} as const;
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** Type ids of the compact protocol. Fields carry a bool's value in the type (TRUE/FALSE). */
export const CompactType = {
  STOP: 0,
  BOOLEAN_TRUE: 1,
  BOOLEAN_FALSE: 2,
  I8: 3,
  I16: 4,
  I32: 5,
  I64: 6,
  DOUBLE: 7,
  BINARY: 8,
  LIST: 9,
  SET: 10,
  MAP: 11,
  STRUCT: 12,
  UUID: 13,
} as const;

/** TType → compact type id (bool as BOOLEAN_TRUE, which is what Apache's libraries write for element types). */
export const compactTypeOf: Readonly<Uint8Array> = (() => {
  const table = new Uint8Array(17);
  table[TType.BOOL] = CompactType.BOOLEAN_TRUE;
  table[TType.I8] = CompactType.I8;
  table[TType.I16] = CompactType.I16;
  table[TType.I32] = CompactType.I32;
  table[TType.I64] = CompactType.I64;
  table[TType.DOUBLE] = CompactType.DOUBLE;
  table[TType.STRING] = CompactType.BINARY;
  table[TType.STRUCT] = CompactType.STRUCT;
  table[TType.MAP] = CompactType.MAP;
  table[TType.SET] = CompactType.SET;
  table[TType.LIST] = CompactType.LIST;
  table[TType.UUID] = CompactType.UUID;
  return table;
})();

/** Compact type id → TType; 0 for ids that name no value type (STOP and 14, 15). */
export const ttypeOfCompact: Readonly<Uint8Array> = (() => {
  const table = new Uint8Array(16);
  table[CompactType.BOOLEAN_TRUE] = TType.BOOL;
  table[CompactType.BOOLEAN_FALSE] = TType.BOOL;
  table[CompactType.I8] = TType.I8;
  table[CompactType.I16] = TType.I16;
  table[CompactType.I32] = TType.I32;
  table[CompactType.I64] = TType.I64;
  table[CompactType.DOUBLE] = TType.DOUBLE;
  table[CompactType.BINARY] = TType.STRING;
  table[CompactType.LIST] = TType.LIST;
  table[CompactType.SET] = TType.SET;
  table[CompactType.MAP] = TType.MAP;
  table[CompactType.STRUCT] = TType.STRUCT;
  table[CompactType.UUID] = TType.UUID;
  return table;
})();

/** True for the binary type ids a value can have (STOP and VOID are not value types). */
export function isValueType(ttype: number): boolean {
  return ttype >= 2 && ttype <= 16 && ttype !== 5 && ttype !== 7 && ttype !== 9;
}

/** First byte of a strict binary message header (the high byte of version 0x8001). */
export const BINARY_VERSION_HIGH = 0x80;
/** Second byte of a strict binary message header. */
export const BINARY_VERSION_LOW = 0x01;
/** First byte of every compact message header. */
export const COMPACT_PROTOCOL_ID = 0x82;
/** The compact protocol's version, in the low 5 bits of the header's second byte. */
export const COMPACT_VERSION = 1;

/** Nesting of structs and containers a message may have: Apache Thrift's default recursion limit. */
export const MAX_THRIFT_DEPTH = 64;
/** Longest method name accepted in a message header (Service:method names are short). */
export const MAX_MESSAGE_NAME_BYTES = 4096;
