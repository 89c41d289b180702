/**
 * Byte layout of a frame, shared by the encoder and the decoder. The layout is a
 * public contract, written out in docs/PROTOCOL.md; change both together.
 *
 *   offset size
 *   0      1    magic 0xB5 (never a RESP type byte or an ASCII letter)
 *   1      1    version (1)
 *   2      4    length of the rest of the frame, uint32 big-endian
 *   6      1    kind
 *   7      1    codec
 *   8      1    flags
 *   9      4    request id, uint32 BE
 *   13     4    deadline in ms, uint32 BE (0 = none)
 *   17     2    method length in bytes, uint16 BE
 *   19     2    metadata entry count, uint16 BE
 *   21     ..   method (UTF-8), then per entry: key length uint16 BE, key,
 *               value length uint32 BE, value; then the body to the end.
 */

import { FrameKind } from "./frame.js";

export const FRAME_MAGIC = 0xb5;
export const FRAME_VERSION = 1;
/** Bytes before the length field is known to be complete: magic, version, length. */
export const PREFIX_BYTES = 6;
/** Fixed part of every frame: prefix plus the fixed-size fields. */
export const HEADER_BYTES = 21;

export const OFFSET_KIND = 6;
export const OFFSET_CODEC = 7;
export const OFFSET_FLAGS = 8;
export const OFFSET_REQUEST_ID = 9;
export const OFFSET_DEADLINE = 13;
export const OFFSET_METHOD_LENGTH = 17;
export const OFFSET_METADATA_COUNT = 19;

export const MAX_UINT16 = 0xffff;
export const MAX_UINT32 = 0xffffffff;

/** Kinds run from 1 to this one; any other kind makes a frame malformed. */
export const MAX_FRAME_KIND: number = FrameKind.Cancel;

/** Flag bits this version understands; any other bit set makes a frame malformed. */
export const KNOWN_FLAGS = 0x01;
