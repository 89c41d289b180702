import { gunzipSync } from "node:zlib";
import { readUtf8 } from "./buffer-utf8.js";
import { CodecId, FrameFlags, FrameKind, type Frame } from "./frame.js";
import { FrameError } from "./frame-error.js";
import { maxInflatedBodyBytes, type FrameLimits } from "./frame-limits.js";
import { inflateFailure } from "./inflate-errors.js";
import { readMethodName } from "./method-name-cache.js";
import {
  HEADER_BYTES,
  KNOWN_FLAGS,
  MAX_FRAME_KIND,
  OFFSET_CODEC,
  OFFSET_DEADLINE,
  OFFSET_FLAGS,
  OFFSET_KIND,
  OFFSET_METADATA_COUNT,
  OFFSET_METHOD_LENGTH,
  OFFSET_REQUEST_ID,
} from "./frame-layout.js";

const knownCodecs = new Set<number>(Object.values(CodecId));

/**
 * Reads one complete frame occupying `buf[start, end)` (prefix already checked).
 * The body is a view into `buf`, not a copy, unless it had to be gunzipped. With
 * `inflate` false a gzip body is left as it is, Gzip flag set, for inflateFrameBody.
 */
export function parseFrame(buf: Buffer, start: number, end: number, limits: FrameLimits, inflate: boolean): Frame {
  if (end - start < HEADER_BYTES) throw malformed(`frame of ${end - start} bytes is shorter than its header`);
  const kind = buf[start + OFFSET_KIND]!;
  if (kind < 1 || kind > MAX_FRAME_KIND) throw malformed(`unknown frame kind ${kind}`);
  const codec = buf[start + OFFSET_CODEC]!;
  if (!knownCodecs.has(codec)) throw malformed(`unknown codec id ${codec}`);
  let flags = buf[start + OFFSET_FLAGS]!;
  if ((flags & ~KNOWN_FLAGS) !== 0) throw malformed(`unknown flag bits 0x${flags.toString(16)}`);
  const requestId = buf.readUInt32BE(start + OFFSET_REQUEST_ID);
  const deadlineMs = buf.readUInt32BE(start + OFFSET_DEADLINE);
  const methodLength = buf.readUInt16BE(start + OFFSET_METHOD_LENGTH);
  let metadataCount = buf.readUInt16BE(start + OFFSET_METADATA_COUNT);
  let pos = start + HEADER_BYTES;
  if (pos + methodLength > end) throw malformed(`method name of ${methodLength} bytes runs past the frame`);
  const method = methodLength === 0 ? "" : readMethodName(buf, pos, pos + methodLength);
  pos += methodLength;

  let metadata: Record<string, string> | undefined;
  if (metadataCount > 0) {
    metadata = {};
    for (; metadataCount > 0; metadataCount--) {
      if (pos + 2 > end) throw malformed("metadata key length runs past the frame");
      const keyLength = buf.readUInt16BE(pos);
      pos += 2;
      if (pos + keyLength + 4 > end) throw malformed("metadata key runs past the frame");
      const key = readUtf8(buf, pos, pos + keyLength);
      pos += keyLength;
      const valueLength = buf.readUInt32BE(pos);
      pos += 4;
      if (pos + valueLength > end) throw malformed(`metadata value of "${key}" runs past the frame`);
      if (Object.hasOwn(metadata, key)) throw malformed(`metadata key "${key}" appears twice`);
      const value = readUtf8(buf, pos, pos + valueLength);
      // Assigning "__proto__" would replace the object's prototype instead of adding an entry.
      if (key === "__proto__") {
        Object.defineProperty(metadata, key, { value, enumerable: true, writable: true, configurable: true });
      } else {
        metadata[key] = value;
      }
      pos += valueLength;
    }
  }

  let body: Uint8Array = buf.subarray(pos, end);
  if (inflate && (flags & FrameFlags.Gzip) !== 0) {
    body = gunzip(body, maxInflatedBodyBytes(limits));
    flags &= ~FrameFlags.Gzip;
  }
  return { kind: kind as FrameKind, requestId, method, codec: codec as CodecId, flags, deadlineMs, metadata, body };
}

function gunzip(body: Uint8Array, limit: number): Buffer {
  try {
    return gunzipSync(body, { maxOutputLength: limit });
  } catch (error) {
    throw inflateFailure(error, limit);
  }
}

function malformed(message: string): FrameError {
  return new FrameError("malformed", message);
}
