import { splitInlineCommand } from "./inline-command.js";
import type { RespParserLimits } from "./resp-parser-limits.js";
import { RespProtocolError } from "./resp-protocol-error.js";

type State = "type" | "line" | "inline" | "bulk" | "bulkEnd";

const CR = 0x0d;
const LF = 0x0a;
const ARRAY = 0x2a;
const noBytes = Buffer.alloc(0);
/** A piece of a spanning bulk string at least this long is kept as a view of its chunk, not copied. */
const minBulkViewBytes = 4 * 1024;
/** The buffers that collect the smaller pieces. */
const bulkTailBytes = 16 * 1024;

/**
 * The byte level of RESP, shared by RespParser (any value, for clients) and
 * RespRequestParser (commands, for servers). Chunks are queued as they arrive (never
 * concatenated with what came before); `next()` advances a resumable state machine
 * over them: a type byte, its line, and for a bulk string its payload and CRLF.
 * What a line or a payload means, and which type bytes are allowed where, is the
 * subclass's business. `next()` returns one complete top-level value, or undefined
 * when more input is needed, so a server can stop taking commands (back-pressure)
 * without losing the ones already received. Malformed input throws RespProtocolError,
 * and every later `next()` throws it again.
 *
 * A bulk string that lies within one pushed chunk is returned as a view of that
 * chunk, not a copy: don't reuse a pushed buffer while its values are in use.
 */
export abstract class RespReader<T> {
  protected readonly limits: RespParserLimits;
  /**
   * The type bytes allowed where the stream is now (1 = allowed), indexed by byte. A table
   * the subclass swaps rather than a method, so the hottest step stays one array read.
   */
  protected allowedTypes: Uint8Array;
  private readonly chunks: Buffer[] = [];
  private offset = 0;
  private state: State = "type";
  /** The type byte of the line being read. */
  protected lineType = 0;
  private lineParts: Buffer[] = [];
  private lineLength = 0;
  /**
   * A bulk string that spans chunks, kept as it arrives and joined once complete: big
   * pieces as views of their chunks, small ones copied into `bulkTail` (a view per tiny
   * chunk would cost far more than its bytes). Nothing is allocated for declared bytes.
   */
  private bulkParts: Buffer[] = [];
  private bulkTail: Buffer = noBytes;
  private bulkTailFilled = 0;
  private bulkFilled = 0;
  /** Its declared length. */
  private bulkLength = 0;
  /** The type byte of the bulk string being read: `$`, `!` or `=`. */
  protected bulkType = 0;
  private bulkEndSeen = 0;
  /**
   * Bytes charged to the top-level value being read, checked against maxValueBytes:
   * its wire bytes so far, plus what a subclass charges for declared sizes.
   * A subclass resets it to 0 when it hands a value out.
   */
  protected valueBytes = 0;
  /** The part of `valueBytes` charged for what was declared but has not arrived yet (not held). */
  protected reservedBytes = 0;
  private consumed = 0;
  /** Stream offset where the element being read began, for error messages. */
  private elementStart = 0;
  private failed: RespProtocolError | undefined;

  protected constructor(limits: RespParserLimits, allowedTypes: Uint8Array) {
    this.limits = limits;
    this.allowedTypes = allowedTypes;
  }

  /** Queues a chunk of input. */
  push(chunk: Buffer): void {
    if (chunk.length > 0) this.chunks.push(chunk);
  }

  /** Bytes received but not yet consumed by `next()`. */
  get bufferedBytes(): number {
    let total = -this.offset;
    for (const chunk of this.chunks) total += chunk.length;
    return total;
  }

  /** True when input has arrived that `next()` has not consumed: bufferedBytes > 0, without adding it up. */
  get hasInput(): boolean {
    const count = this.chunks.length;
    return count > 1 || (count === 1 && this.offset < this.chunks[0]!.length);
  }

  /**
   * About what this parser holds now, in bytes, for a server's memory budget: input not
   * yet parsed, the value being read (its bytes so far and, in RespRequestParser, the
   * object cost of the words it has), and the spare room of a bulk buffer. It grows with
   * the bytes that arrive, not with the sizes a header declares: those are only checked.
   */
  get heldBytes(): number {
    return this.bufferedBytes + this.valueBytes - this.reservedBytes + this.bulkTail.length - this.bulkTailFilled;
  }

  /** True when the parser is between values with nothing partial held. */
  get idle(): boolean {
    return this.state === "type" && this.atTop() && this.bufferedBytes === 0;
  }

  /** The next complete top-level value, or undefined if more input is needed. */
  next(): T | undefined {
    if (this.failed) throw this.failed;
    try {
      return this.step();
    } catch (error) {
      if (error instanceof RespProtocolError) this.failed = error;
      throw error;
    }
  }

  /** True when no value is partly read (the next type byte starts a top-level value). */
  protected abstract atTop(): boolean;
  /** Throws (with `fail`) the error for a type byte that `allowedTypes` does not allow. */
  protected abstract rejectTypeByte(byte: number): never;
  /** The line of a `lineType` value, held in `source` from `start` to `end` (CRLF excluded). */
  protected abstract finishLine(source: Buffer, start: number, end: number): T | undefined;
  /** The payload of a bulk string of type `bulkType`. */
  protected abstract finishBulk(data: Buffer): T | undefined;
  /** A payload that lies within one chunk: `length` bytes of `source` from `start` (a subclass may keep just that). */
  protected finishBulkIn(source: Buffer, start: number, length: number): T | undefined {
    return this.finishBulk(source.subarray(start, start + length));
  }
  /** An inline command with at least one word. */
  protected abstract finishInlineCommand(words: Buffer[]): T | undefined;

  private step(): T | undefined {
    for (;;) {
      const chunk = this.chunks[0];
      if (chunk === undefined) return undefined;
      if (this.offset >= chunk.length) {
        this.chunks.shift();
        this.offset = 0;
        continue;
      }
      let done: T | undefined;
      switch (this.state) {
        case "type":
          this.readType(chunk);
          break;
        case "line":
        case "inline":
          done = this.readLine(chunk);
          break;
        case "bulk":
          this.readBulk(chunk);
          break;
        case "bulkEnd":
          done = this.readBulkEnd(chunk);
          break;
      }
      if (done !== undefined) return done;
    }
  }

  private consume(chunk: Buffer, count: number): void {
    this.offset += count;
    this.consumed += count;
    this.valueBytes += count;
    if (this.valueBytes > this.limits.maxValueBytes) {
      this.fail(`value exceeds the limit of ${this.limits.maxValueBytes} bytes`, this.consumed);
    }
    if (this.offset >= chunk.length) {
      this.chunks.shift();
      this.offset = 0;
    }
  }

  private readType(chunk: Buffer): void {
    const byte = chunk[this.offset]!;
    this.elementStart = this.consumed;
    if (this.limits.inlineCommands && byte !== ARRAY && this.atTop()) {
      this.state = "inline";
      return;
    }
    if (this.allowedTypes[byte] !== 1) this.rejectTypeByte(byte);
    this.consume(chunk, 1);
    this.lineType = byte;
    this.state = "line";
  }

  private readLine(chunk: Buffer): T | undefined {
    const end = chunk.indexOf(LF, this.offset);
    // The common case: the whole line is in this chunk; read it in place.
    if (end !== -1 && this.lineLength === 0 && this.state === "line") {
      const start = this.offset;
      if (end - start > this.limits.maxLineBytes + 1) this.fail(`line longer than ${this.limits.maxLineBytes} bytes`);
      this.consume(chunk, end - start + 1);
      this.state = "type";
      if (end === start || chunk[end - 1] !== CR) this.fail("line not terminated by CRLF");
      return this.finishLine(chunk, start, end - 1);
    }
    const stop = end === -1 ? chunk.length : end;
    const piece = chunk.subarray(this.offset, stop);
    this.lineLength += piece.length;
    if (this.lineLength > this.limits.maxLineBytes + 1) {
      this.fail(this.state === "inline" ? "too big inline request" : `line longer than ${this.limits.maxLineBytes} bytes`);
    }
    this.lineParts.push(piece);
    if (end === -1) {
      this.consume(chunk, piece.length);
      return undefined;
    }
    this.consume(chunk, piece.length + 1);
    const raw = this.lineParts.length === 1 ? this.lineParts[0]! : Buffer.concat(this.lineParts, this.lineLength);
    this.lineParts = [];
    this.lineLength = 0;
    const inline = this.state === "inline";
    this.state = "type";
    if (inline) return this.finishInline(raw);
    if (raw.length === 0 || raw[raw.length - 1] !== CR) this.fail("line not terminated by CRLF");
    return this.finishLine(raw, 0, raw.length - 1);
  }

  private finishInline(raw: Buffer): T | undefined {
    const line = raw.length > 0 && raw[raw.length - 1] === CR ? raw.subarray(0, raw.length - 1) : raw;
    const words = splitInlineCommand(line);
    if (words === undefined) this.fail("unbalanced quotes in inline request");
    // An empty line is a keep-alive from telnet users; Redis ignores it too.
    if (words.length === 0) {
      this.valueBytes = 0;
      return undefined;
    }
    return this.finishInlineCommand(words);
  }

  /** A length line: `-1`, or up to 15 digits without a leading zero. */
  protected readLengthLine(source: Buffer, start: number, end: number): number {
    // Lengths are read from the bytes; the text is only built to report a bad one.
    const count = readLength(source, start, end);
    return count ?? parseLength(source.toString("utf8", start, end), this);
  }

  /** Starts reading a bulk string of `length` (≥ 0) bytes, checked against the limits before allocating. */
  protected startBulk(length: number): T | undefined {
    if (length > this.limits.maxBulkBytes) {
      this.fail(`bulk length ${length} exceeds the limit of ${this.limits.maxBulkBytes} bytes`);
    }
    if (this.valueBytes + length + 2 > this.limits.maxValueBytes) {
      this.fail(`value exceeds the limit of ${this.limits.maxValueBytes} bytes`);
    }
    this.bulkType = this.lineType;
    // The common case: the payload and its CRLF are in the current chunk. The value is
    // then a view of the chunk, not a copy (the socket hands out a fresh chunk per read).
    const chunk = this.chunks[0];
    if (chunk !== undefined && this.offset + length + 2 <= chunk.length) {
      const start = this.offset;
      if (chunk[start + length] !== CR) this.fail(`bulk string not followed by CRLF (got ${describeByte(chunk[start + length]!)})`, this.consumed + length);
      if (chunk[start + length + 1] !== LF) {
        this.fail(`bulk string not followed by CRLF (got ${describeByte(chunk[start + length + 1]!)})`, this.consumed + length + 1);
      }
      this.consume(chunk, length + 2);
      return this.finishBulkIn(chunk, start, length);
    }
    // A header costs its sender a few bytes: hold what arrives, not what it declares.
    this.bulkFilled = 0;
    this.bulkLength = length;
    this.bulkEndSeen = 0;
    this.state = length === 0 ? "bulkEnd" : "bulk";
    return undefined;
  }

  private readBulk(chunk: Buffer): void {
    const take = Math.min(chunk.length - this.offset, this.bulkLength - this.bulkFilled);
    if (take >= minBulkViewBytes) {
      this.closeBulkTail();
      this.bulkParts.push(chunk.subarray(this.offset, this.offset + take));
    } else {
      this.copyToBulkTail(chunk, this.offset, take);
    }
    this.bulkFilled += take;
    this.consume(chunk, take);
    if (this.bulkFilled === this.bulkLength) this.state = "bulkEnd";
  }

  private copyToBulkTail(chunk: Buffer, from: number, count: number): void {
    while (count > 0) {
      if (this.bulkTailFilled === this.bulkTail.length) {
        this.closeBulkTail();
        this.bulkTail = Buffer.allocUnsafe(Math.min(bulkTailBytes, this.bulkLength - this.bulkFilled - (from - this.offset)));
      }
      const copied = chunk.copy(this.bulkTail, this.bulkTailFilled, from, from + count);
      this.bulkTailFilled += copied;
      from += copied;
      count -= copied;
    }
  }

  private closeBulkTail(): void {
    if (this.bulkTailFilled > 0) this.bulkParts.push(this.bulkTail.subarray(0, this.bulkTailFilled));
    this.bulkTail = noBytes;
    this.bulkTailFilled = 0;
  }

  private readBulkEnd(chunk: Buffer): T | undefined {
    const byte = chunk[this.offset]!;
    const expected = this.bulkEndSeen === 0 ? CR : LF;
    if (byte !== expected) this.fail(`bulk string not followed by CRLF (got ${describeByte(byte)})`, this.consumed);
    this.consume(chunk, 1);
    this.bulkEndSeen++;
    if (this.bulkEndSeen < 2) return undefined;
    this.state = "type";
    this.closeBulkTail();
    const parts = this.bulkParts;
    if (parts.length > 0) this.bulkParts = [];
    // One piece (the payload ended a chunk, its CRLF came in the next) needs no copy.
    return this.finishBulk(parts.length === 1 ? parts[0]! : Buffer.concat(parts, this.bulkLength));
  }

  /** @internal used by the subclasses and number parsers to report with the stream position. */
  fail(reason: string, at: number = this.elementStart): never {
    throw new RespProtocolError(`${reason} (at byte ${at} of the stream)`);
  }
}

/** The length written in `source[start..end)` (-1, or 0 to 15 digits without a leading zero), or undefined if it is not one. */
function readLength(source: Buffer, start: number, end: number): number | undefined {
  const digits = end - start;
  if (digits === 2 && source[start] === 0x2d && source[start + 1] === 0x31) return -1;
  if (digits === 0 || digits > 15 || (digits > 1 && source[start] === 0x30)) return undefined;
  let value = 0;
  for (let i = start; i < end; i++) {
    const digit = source[i]! - 0x30;
    if (digit < 0 || digit > 9) return undefined;
    value = value * 10 + digit;
  }
  return value;
}

function parseLength(text: string, reader: RespReader<unknown>): number {
  if (!/^(-1|0|[1-9]\d{0,14})$/.test(text)) reader.fail(`invalid length '${truncateText(text)}'`);
  return Number(text);
}

/** A table for `allowedTypes`: 1 at each of the characters of `types`. */
export function typeTable(types: string): Uint8Array {
  const table = new Uint8Array(256);
  for (const type of types) table[type.charCodeAt(0)] = 1;
  return table;
}

/** A byte as it reads in an error message: `':'`, or `0x00` when not printable. */
export function describeByte(byte: number): string {
  return byte >= 0x20 && byte < 0x7f ? `'${String.fromCharCode(byte)}'` : `0x${byte.toString(16).padStart(2, "0")}`;
}

/** At most 40 characters of `text`, for error messages. */
export function truncateText(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}
