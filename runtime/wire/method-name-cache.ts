import { readUtf8 } from "./buffer-utf8.js";

/**
 * Decodes the method names of incoming frames through a small cache keyed by
 * their bytes. A server sees the same few names over and over: handing out the
 * same string saves decoding a new one per call, and the method-table lookup
 * that follows reuses the string's cached hash instead of hashing a new one.
 */
interface CachedName {
  bytes: Uint8Array;
  text: string;
}

/** Enough for every method of a large server; a peer sending ever new names only empties it now and then. */
const MAX_CACHED_NAMES = 512;
/** Longer names are rare and decoded without the cache. */
const MAX_CACHED_NAME_BYTES = 256;
const cache = new Map<number, CachedName>();

/** The UTF-8 text of `buf[start, end)`, as readUtf8 would return it. */
export function readMethodName(buf: Buffer, start: number, end: number): string {
  const length = end - start;
  if (length > MAX_CACHED_NAME_BYTES) return readUtf8(buf, start, end);
  // FNV-1a over the bytes: cheap for names of a few dozen bytes, and a collision only costs a miss.
  let hash = 0x811c9dc5 ^ length;
  for (let i = start; i < end; i++) hash = Math.imul(hash ^ buf[i]!, 0x01000193);
  const cached = cache.get(hash);
  if (cached !== undefined && sameBytes(cached.bytes, buf, start, length)) return cached.text;
  const text = readUtf8(buf, start, end);
  if (cache.size >= MAX_CACHED_NAMES) cache.clear();
  // A copy: a view would keep the whole socket chunk alive.
  cache.set(hash, { bytes: new Uint8Array(buf.subarray(start, end)), text });
  return text;
}

function sameBytes(bytes: Uint8Array, buf: Buffer, start: number, length: number): boolean {
  if (bytes.length !== length) return false;
  for (let i = 0; i < length; i++) if (bytes[i] !== buf[start + i]) return false;
  return true;
}
