import type { RespValue, RespVersion } from "./resp-value.js";

const CR = 0x0d;
const LF = 0x0a;
/** Bulk payloads at least this long are passed on by reference instead of copied into the buffer. */
const noBytes = Buffer.alloc(0);
/** A fresh buffer is never sized above this by memory of an earlier batch. */
const maxRememberedCapacity = 1024 * 1024;
const largeBulkBytes = 16 * 1024;
/** The smallest buffer started after a batch was taken. */
const minFreshBytes = 256;
const lineBreak = /[\r\n]/g;
const maxSafeBig = BigInt(Number.MAX_SAFE_INTEGER);
const minSafeBig = -maxSafeBig;
const aggregatePrefixes = { array: 0x2a, set: 0x7e, push: 0x3e } as const;

/**
 * Writes RESP straight into one growing buffer, so a command or a reply costs no
 * Buffer per header and per CRLF and no concatenation afterwards. Many values can
 * be appended before `take()` hands them over, which is how a whole event-loop
 * turn of commands or replies becomes one socket write. Large bulk payloads are
 * not copied: they become chunks of their own between the buffered bytes.
 *
 * With version 2, RESP3-only types are written as their RESP2 equivalents (a map
 * as a flat array, a double as a bulk string, a boolean as 1/0, null as `$-1`).
 * Simple strings and errors cannot hold CR or LF; any are replaced by spaces
 * rather than corrupting the stream.
 */
export class RespEncoder {
  private buffer: Buffer;
  private length = 0;
  /** Where the bytes not yet moved to `chunks` start in `buffer`. */
  private sealed = 0;
  private chunks: Buffer[] = [];
  private chunkBytes = 0;
  /** Size of the next fresh buffer: what the last batch needed, so a steady stream of batches rarely grows one. */
  private nextCapacity: number;

  /** @param initialBytes capacity of the first buffer; later ones are sized by the last batch, and all grow as needed. */
  constructor(private readonly initialBytes = 16 * 1024) {
    this.buffer = noBytes;
    this.nextCapacity = initialBytes;
  }

  /** Bytes appended since the last `take()`. */
  get byteLength(): number {
    return this.chunkBytes + this.length - this.sealed;
  }

  /** Hands over everything appended so far, in order, and starts afresh. */
  take(): Buffer[] {
    const chunks = this.chunks;
    if (this.length > this.sealed) chunks.push(this.buffer.subarray(this.sealed, this.length));
    this.chunks = [];
    this.chunkBytes = 0;
    // Sized by the batch just taken, not by initialBytes: the replies to one read of
    // pipelined commands take a few dozen bytes, and a buffer under 4 KiB comes from
    // Node's shared pool instead of an allocation of its own (with its GC cost) per batch.
    this.nextCapacity = Math.min(Math.max(minFreshBytes, Math.ceil(this.length * 1.25)), maxRememberedCapacity);
    // The socket keeps the handed-out bytes until written: the next batch needs its own
    // buffer, allocated when something is appended (an idle connection holds none).
    this.buffer = noBytes;
    this.length = 0;
    this.sealed = 0;
    return chunks;
  }

  /** A command as clients send it: an array of bulk strings (text is written as UTF-8). */
  command(args: readonly (Buffer | string)[]): void {
    this.arrayHeader(args.length);
    for (const arg of args) this.bulkWord(arg);
  }

  /** `*<count>\r\n`, the start of a command of `count` words. */
  arrayHeader(count: number): void {
    this.header(0x2a, count);
  }

  /** One bulk string: bytes as they are, text as UTF-8. */
  bulkWord(word: Buffer | string): void {
    if (typeof word === "string") this.bulkText(0x24, word);
    else this.bulkBytes(0x24, word);
  }

  value(value: RespValue, version: RespVersion = 2): void {
    switch (value.type) {
      case "simple":
        return this.line(0x2b, value.value);
      case "error":
        return this.line(0x2d, value.value);
      case "integer":
        return this.integerLine(0x3a, value.value);
      case "bulk":
        return this.bulkBytes(0x24, value.value);
      case "null":
        return version === 3 ? this.asciiLine(0x5f, "") : this.asciiLine(0x24, "-1");
      case "double":
        if (version === 3) return this.asciiLine(0x2c, formatRespDouble(value.value));
        return this.bulkText(0x24, formatRespDouble(value.value));
      case "boolean":
        if (version === 3) return this.asciiLine(0x23, value.value ? "t" : "f");
        return this.asciiLine(0x3a, value.value ? "1" : "0");
      case "bignum":
        if (version === 3) return this.asciiLine(0x28, String(value.value));
        return this.bulkText(0x24, String(value.value));
      case "bulkError":
        if (version === 3) return this.bulkBytes(0x21, value.value);
        return this.line(0x2d, value.value.toString("utf8"));
      case "verbatim":
        if (version === 2) return this.bulkBytes(0x24, value.value);
      {
        const tag = `${value.format}:`;
        this.header(0x3d, Buffer.byteLength(tag, "latin1") + value.value.length);
        this.ensure(tag.length);
        this.length += this.buffer.write(tag, this.length, "latin1");
        return this.payload(value.value);
      }
      case "array":
      case "set":
      case "push":
        this.header(version === 3 ? aggregatePrefixes[value.type] : 0x2a, value.value.length);
        for (const item of value.value) this.value(item, version);
        return;
      case "map":
        if (version === 3) this.header(0x25, value.value.length);
        else this.header(0x2a, value.value.length * 2);
        for (const [key, item] of value.value) {
          this.value(key, version);
          this.value(item, version);
        }
        return;
      case "attributed":
        if (version === 3) {
          this.header(0x7c, value.attributes.length);
          for (const [key, item] of value.attributes) {
            this.value(key, version);
            this.value(item, version);
          }
        }
        return this.value(value.value, version);
    }
  }

  private ensure(bytes: number): void {
    const needed = this.length + bytes;
    if (needed <= this.buffer.length) return;
    // Only the unsealed tail moves; sealed bytes already belong to a chunk view.
    const live = this.length - this.sealed;
    const grown = Buffer.allocUnsafe(Math.max(this.nextCapacity, (live + bytes) * 2));
    this.buffer.copy(grown, 0, this.sealed, this.length);
    this.buffer = grown;
    this.sealed = 0;
    this.length = live;
  }

  /** `<prefix><decimal>\r\n` for a non-negative integer. */
  private header(prefix: number, count: number): void {
    this.ensure(24);
    this.buffer[this.length++] = prefix;
    this.digits(count);
    this.buffer[this.length++] = CR;
    this.buffer[this.length++] = LF;
  }

  /** `:<integer>\r\n`; most integers are written digit by digit, without a string. */
  private integerLine(prefix: number, value: bigint): void {
    if (value < minSafeBig || value > maxSafeBig) return this.asciiLine(prefix, String(value));
    const number = Number(value);
    this.ensure(24);
    this.buffer[this.length++] = prefix;
    if (number < 0) {
      this.buffer[this.length++] = 0x2d;
      this.digits(-number);
    } else {
      this.digits(number);
    }
    this.buffer[this.length++] = CR;
    this.buffer[this.length++] = LF;
  }

  /** The decimal digits of a non-negative safe integer; the caller made room for 16. */
  private digits(value: number): void {
    const buffer = this.buffer;
    if (value < 10) {
      buffer[this.length++] = 0x30 + value;
      return;
    }
    let width = 1;
    for (let rest = Math.floor(value / 10); rest > 0; rest = Math.floor(rest / 10)) width++;
    let at = this.length + width;
    this.length = at;
    while (value >= 10) {
      const next = Math.floor(value / 10);
      buffer[--at] = 0x30 + (value - next * 10);
      value = next;
    }
    buffer[--at] = 0x30 + value;
  }

  private asciiLine(prefix: number, text: string): void {
    this.ensure(text.length + 3);
    this.buffer[this.length++] = prefix;
    if (text.length > 0) this.length += this.buffer.write(text, this.length, "latin1");
    this.buffer[this.length++] = CR;
    this.buffer[this.length++] = LF;
  }

  private line(prefix: number, text: string): void {
    const clean = text.replace(lineBreak, " ");
    const bytes = Buffer.byteLength(clean, "utf8");
    this.ensure(bytes + 3);
    this.buffer[this.length++] = prefix;
    if (bytes > 0) this.length += this.buffer.write(clean, this.length, bytes, "utf8");
    this.buffer[this.length++] = CR;
    this.buffer[this.length++] = LF;
  }

  private bulkText(prefix: number, text: string): void {
    const bytes = Buffer.byteLength(text, "utf8");
    this.header(prefix, bytes);
    this.ensure(bytes + 2);
    if (bytes > 0) this.length += this.buffer.write(text, this.length, bytes, "utf8");
    this.buffer[this.length++] = CR;
    this.buffer[this.length++] = LF;
  }

  private bulkBytes(prefix: number, data: Buffer): void {
    this.header(prefix, data.length);
    this.payload(data);
  }

  /** `data` then CRLF. */
  private payload(data: Buffer): void {
    if (data.length >= largeBulkBytes) {
      if (this.length > this.sealed) this.chunks.push(this.buffer.subarray(this.sealed, this.length));
      this.chunks.push(data);
      this.chunkBytes += this.length - this.sealed + data.length;
      this.sealed = this.length;
      this.ensure(2);
    } else {
      this.ensure(data.length + 2);
      data.copy(this.buffer, this.length);
      this.length += data.length;
    }
    this.buffer[this.length++] = CR;
    this.buffer[this.length++] = LF;
  }
}

/** Doubles as Redis spells them: `inf`, `-inf`, `nan`; `-0` keeps its sign. */
export function formatRespDouble(value: number): string {
  if (Number.isNaN(value)) return "nan";
  if (value === Infinity) return "inf";
  if (value === -Infinity) return "-inf";
  if (Object.is(value, -0)) return "-0";
  return String(value);
}
