import { gzipSync } from "node:zlib";
import { Code, RpcError } from "../errors.js";
import { writeUtf8 } from "./buffer-utf8.js";
import type { FrameBody } from "./deferred-body.js";
import { CodecId, FrameFlags, type Frame, type FrameKind } from "./frame.js";
import { defaultFrameLimits, maxInflatedBodyBytes, type FrameLimits } from "./frame-limits.js";
import {
  FRAME_MAGIC,
  FRAME_VERSION,
  HEADER_BYTES,
  KNOWN_FLAGS,
  MAX_FRAME_KIND,
  MAX_UINT16,
  MAX_UINT32,
  OFFSET_CODEC,
  OFFSET_DEADLINE,
  OFFSET_FLAGS,
  OFFSET_KIND,
  OFFSET_METADATA_COUNT,
  OFFSET_METHOD_LENGTH,
  OFFSET_REQUEST_ID,
  PREFIX_BYTES,
} from "./frame-layout.js";

/**
 * Encodes one frame; gzips a body over the threshold (sets FrameFlags.Gzip);
 * throws RpcError(RESOURCE_EXHAUSTED) naming the method and the size when the
 * frame is still over the maximum, so it is never sent. Invalid header values
 * (a request id outside uint32, a method name over 65535 bytes...) are
 * programming errors and throw a RangeError.
 */
export function encodeFrame(frame: Frame, limits: FrameLimits = defaultFrameLimits): Buffer {
  encodeInto(
    ownBuffer,
    frame.kind,
    frame.requestId,
    frame.method,
    frame.codec,
    frame.flags,
    frame.deadlineMs,
    frame.metadata,
    frame.body,
    limits,
  );
  return ownBuffer.take();
}

/**
 * encodeFrame from the frame's parts, without a Frame object (flags start at
 * 0). A DeferredBody is copied once, straight into the frame, and is consumed
 * unless this throws.
 */
export function encodeFrameParts(
  kind: FrameKind,
  requestId: number,
  method: string,
  codec: CodecId,
  deadlineMs: number,
  metadata: Record<string, string> | undefined,
  body: FrameBody,
  limits: FrameLimits = defaultFrameLimits,
): Buffer {
  encodeInto(ownBuffer, kind, requestId, method, codec, 0, deadlineMs, metadata, body, limits);
  return ownBuffer.take();
}

/**
 * Room for encoded frames handed out by whoever will send them, so that frames
 * can be encoded straight into a shared batch buffer instead of one buffer each.
 */
export interface FrameSink {
  /** Makes `bytes` writable bytes available in `buffer` and returns where they start. */
  reserve(bytes: number): number;
  /** The buffer the last reserve() made room in. */
  readonly buffer: Buffer;
}

/**
 * encodeFrameParts into `sink`: every check happens before reserve() is
 * called, so a frame that throws takes no room. Returns the frame's size.
 */
export function encodeFrameInto(
  sink: FrameSink,
  kind: FrameKind,
  requestId: number,
  method: string,
  codec: CodecId,
  deadlineMs: number,
  metadata: Record<string, string> | undefined,
  body: FrameBody,
  limits: FrameLimits = defaultFrameLimits,
): number {
  return encodeInto(sink, kind, requestId, method, codec, 0, deadlineMs, metadata, body, limits);
}

const emptyBuffer = Buffer.alloc(0);

/** The sink of the encoders that return a Buffer of their own: one exact-size buffer per frame. */
class OwnBufferSink implements FrameSink {
  buffer: Buffer = emptyBuffer;

  reserve(bytes: number): number {
    this.buffer = Buffer.allocUnsafe(bytes);
    return 0;
  }

  /** The frame just encoded; the sink lets go of it (encoding is synchronous, so there is never more than one). */
  take(): Buffer {
    const frame = this.buffer;
    this.buffer = emptyBuffer;
    return frame;
  }
}

const ownBuffer = new OwnBufferSink();

/** The one frame encoder behind the exported ones. Returns the frame's size. */
function encodeInto(
  sink: FrameSink,
  kind: FrameKind,
  requestId: number,
  method: string,
  codec: CodecId,
  flags: number,
  deadlineMs: number,
  metadata: Record<string, string> | undefined,
  body: FrameBody,
  limits: FrameLimits,
): number {
  let bodyBytes = body.byteLength;
  if ((flags & FrameFlags.Gzip) === 0 && bodyBytes > limits.compressThresholdBytes) {
    const inflatedLimit = maxInflatedBodyBytes(limits);
    if (bodyBytes > inflatedLimit) {
      throw tooLarge(kind, method, `its body of ${bodyBytes} bytes is over the limit of ${inflatedLimit} bytes`);
    }
    body = gzipSync(bytesOf(body));
    bodyBytes = body.byteLength;
    flags |= FrameFlags.Gzip;
  }

  const methodBytes = method.length === 0 ? 0 : Buffer.byteLength(method, "utf8");
  if (methodBytes > MAX_UINT16) throw new RangeError(`method name is ${methodBytes} bytes, over 65535`);
  let metadataBytes = 0;
  let metadataCount = 0;
  if (metadata !== undefined) {
    for (const key in metadata) {
      if (!Object.hasOwn(metadata, key)) continue;
      const keyBytes = Buffer.byteLength(key, "utf8");
      if (keyBytes > MAX_UINT16) throw new RangeError(`metadata key is ${keyBytes} bytes, over 65535`);
      const value = metadata[key];
      if (typeof value !== "string") throw new RangeError(`metadata value of "${key}" is not a string`);
      metadataBytes += 6 + keyBytes + Buffer.byteLength(value, "utf8");
      metadataCount++;
    }
    if (metadataCount > MAX_UINT16) throw new RangeError(`${metadataCount} metadata entries, over 65535`);
  }

  const total = HEADER_BYTES + methodBytes + metadataBytes + bodyBytes;
  if (total > limits.maxFrameBytes) {
    const compressed = (flags & FrameFlags.Gzip) !== 0 ? " after gzip" : "";
    throw tooLarge(kind, method, `it is ${total} bytes${compressed}, over the maximum of ${limits.maxFrameBytes} bytes`);
  }
  checkUint32(requestId, "request id");
  if (!(kind >= 1 && kind <= MAX_FRAME_KIND)) throw new RangeError(`unknown frame kind ${kind}`);
  if (codec !== CodecId.Json && codec !== CodecId.Binary) throw new RangeError(`unknown codec id ${codec}`);
  if ((flags & ~KNOWN_FLAGS) !== 0) throw new RangeError(`unknown flag bits 0x${flags.toString(16)}`);
  const deadline = deadlineField(deadlineMs);

  // At most one allocation per frame (none in a batch buffer): every field, and the body, is written in place.
  const at = sink.reserve(total);
  const buf = sink.buffer;
  buf[at] = FRAME_MAGIC;
  buf[at + 1] = FRAME_VERSION;
  buf.writeUInt32BE(total - PREFIX_BYTES, at + 2);
  buf[at + OFFSET_KIND] = kind;
  buf[at + OFFSET_CODEC] = codec;
  buf[at + OFFSET_FLAGS] = flags;
  buf.writeUInt32BE(requestId, at + OFFSET_REQUEST_ID);
  buf.writeUInt32BE(deadline, at + OFFSET_DEADLINE);
  buf.writeUInt16BE(methodBytes, at + OFFSET_METHOD_LENGTH);
  buf.writeUInt16BE(metadataCount, at + OFFSET_METADATA_COUNT);
  let pos = at + HEADER_BYTES;
  if (methodBytes > 0) pos += writeUtf8(buf, method, pos);
  if (metadata !== undefined) {
    for (const key in metadata) {
      if (!Object.hasOwn(metadata, key)) continue;
      const keyLength = writeUtf8(buf, key, pos + 2);
      buf.writeUInt16BE(keyLength, pos);
      pos += 2 + keyLength;
      const valueLength = writeUtf8(buf, metadata[key]!, pos + 4);
      buf.writeUInt32BE(valueLength, pos);
      pos += 4 + valueLength;
    }
  }
  if (body instanceof Uint8Array) buf.set(body, pos);
  else body.copyTo(buf, pos);
  return total;
}

/** The body's bytes in one piece (gzip needs them so); a DeferredBody is copied out, which only large bodies pay. */
function bytesOf(body: FrameBody): Uint8Array {
  if (body instanceof Uint8Array) return body;
  const whole = Buffer.allocUnsafe(body.byteLength);
  body.copyTo(whole, 0);
  return whole;
}

function tooLarge(kind: FrameKind, method: string, detail: string): RpcError {
  const what = method === "" ? `frame (kind ${kind})` : `message for ${method}`;
  return new RpcError(Code.RESOURCE_EXHAUSTED, `${what} refused: ${detail}`);
}

function checkUint32(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > MAX_UINT32) {
    throw new RangeError(`${what} ${value} is not an integer in 0..4294967295`);
  }
}

/** Rounds a fractional deadline up (so it never becomes 0, "none") and caps it at uint32. */
function deadlineField(deadlineMs: number): number {
  if (!(deadlineMs >= 0)) throw new RangeError(`deadline ${deadlineMs} ms is negative or not a number`);
  return deadlineMs >= MAX_UINT32 ? MAX_UINT32 : Math.ceil(deadlineMs);
}
