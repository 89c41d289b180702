import type { Reader, Writer } from "./protobuf-runtime.js";
import { ValueError } from "./value-error.js";

const TWO_32 = 4294967296;

/**
 * Reads a varint as a signed 64-bit integer, exactly: a number when it is a safe
 * integer, else a bigint. Reads the reader's bytes directly so no Long (or other
 * intermediate object) is made per value.
 */
export function readInt64(reader: Reader): number | bigint {
  const buf = reader.buf;
  const end = reader.len;
  let pos = reader.pos;
  let lo = 0;
  let hi = 0;
  let byte = 0;
  let done = false;
  // Bytes 1-4 carry bits 0-27.
  for (let shift = 0; shift < 28; shift += 7) {
    if (pos >= end) throw truncated();
    byte = buf[pos++]!;
    lo = (lo | ((byte & 127) << shift)) >>> 0;
    if (byte < 128) {
      done = true;
      break;
    }
  }
  if (!done) {
    // Byte 5 carries bits 28-34: four into lo, three into hi.
    if (pos >= end) throw truncated();
    byte = buf[pos++]!;
    lo = (lo | ((byte & 127) << 28)) >>> 0;
    hi = (byte & 127) >>> 4;
    if (byte >= 128) {
      for (let shift = 3; ; shift += 7) {
        if (shift > 31) throw new ValueError("varint is longer than 10 bytes");
        if (pos >= end) throw truncated();
        byte = buf[pos++]!;
        hi = (hi | ((byte & 127) << shift)) >>> 0;
        if (byte < 128) break;
      }
    }
  }
  reader.pos = pos;
  const signedHi = hi | 0;
  // |value| < 2^53 exactly when the high word is within ±2^21.
  if (signedHi >= -2097152 && signedHi < 2097152) return signedHi * TWO_32 + lo;
  return (BigInt(signedHi) << 32n) | BigInt(lo);
}

/** Writes an exact i64 (number when safe, else bigint) as a varint. */
export function writeInt64(writer: Writer, value: number | bigint): void {
  if (typeof value === "number") {
    writer.int64(value);
    return;
  }
  // protobufjs accepts any { low, high } object as 64 bits: no Long needed.
  const bits = {
    low: Number(BigInt.asUintN(32, value)),
    high: Number(BigInt.asUintN(32, value >> 32n)),
    unsigned: false,
  };
  writer.int64(bits as unknown as number);
}

function truncated(): ValueError {
  return new ValueError("varint runs past the end of the message");
}
