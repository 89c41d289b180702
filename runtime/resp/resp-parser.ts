import { splitInlineCommand } from "./inline-command.js";
import type { RespValue } from "./resp-value.js";

/** Limits a parser enforces before it allocates anything a peer declared. */
export interface RespParserLimits {
  /** Longest bulk string (or bulk error / verbatim string), in bytes. */
  readonly maxBulkBytes: number;
  /** Most elements one array, set or push (or pairs one map) may declare. */
  readonly maxAggregateLength: number;
  /** Longest line: a simple string, an error, a number, or an inline command. */
  readonly maxLineBytes: number;
  /** Deepest nesting of aggregates. */
  readonly maxDepth: number;
  /** Most bytes one top-level value (one request or one reply) may take on the wire. */
  readonly maxValueBytes: number;
  /** Accept telnet-style inline commands at the top level (servers do, clients don't). */
  readonly inlineCommands: boolean;
}

/** Defaults sized for RPC arguments, far below Redis's own 512 MB bulk limit. */
export const defaultRespParserLimits: RespParserLimits = {
  maxBulkBytes: 16 * 1024 * 1024,
  maxAggregateLength: 1024 * 1024,
  maxLineBytes: 64 * 1024,
  maxDepth: 64,
  maxValueBytes: 64 * 1024 * 1024,
  inlineCommands: false,
};

/** Input that is not RESP. The message says what was wrong and at which byte of the stream. */
export class RespProtocolError extends Error {
  override get name(): string {
    return "RespProtocolError";
  }
}

type AggregateKind = "array" | "map" | "set" | "push" | "attribute";

interface OpenAggregate {
  readonly kind: AggregateKind;
  readonly items: RespValue[];
  remaining: number;
  /** Attributes read inside this aggregate, waiting for the value they describe. */
  attributes?: (readonly [RespValue, RespValue])[];
}

type State = "type" | "line" | "inline" | "bulk" | "bulkEnd";

const CR = 0x0d;
const LF = 0x0a;
const lineTypes = new Set([..."+-:$*_,#(!=%~>|"].map((c) => c.charCodeAt(0)));
const bulkTypes = new Set([..."$!="].map((c) => c.charCodeAt(0)));
/** Types whose line is a length: bulk strings and aggregates. */
const lengthTypes = new Set([..."$!=*%~>|"].map((c) => c.charCodeAt(0)));
const noBytes = Buffer.alloc(0);
const aggregateKinds: Record<string, AggregateKind> = { "*": "array", "%": "map", "~": "set", ">": "push", "|": "attribute" };
const minInt64 = -(2n ** 63n);
const maxInt64 = 2n ** 63n - 1n;

/**
 * An incremental RESP parser. Chunks are queued as they arrive (never concatenated
 * with what came before); `next()` advances a resumable state machine over them and
 * returns one complete top-level value, or undefined when more input is needed.
 * Pulling values one at a time lets a server stop taking commands (back-pressure)
 * without losing the ones already received. Malformed input throws RespProtocolError.
 * A bulk string that lies within one pushed chunk is returned as a view of that
 * chunk, not a copy: don't reuse a pushed buffer while its values are in use.
 */
export class RespParser {
  private readonly limits: RespParserLimits;
  private readonly chunks: Buffer[] = [];
  private offset = 0;
  private state: State = "type";
  private lineType = 0;
  private lineParts: Buffer[] = [];
  private lineLength = 0;
  private bulk: Buffer = noBytes;
  private bulkFilled = 0;
  private bulkType = 0;
  private bulkEndSeen = 0;
  private readonly stack: OpenAggregate[] = [];
  private topAttributes: (readonly [RespValue, RespValue])[] | undefined;
  private valueBytes = 0;
  private consumed = 0;
  /** Stream offset where the element being read began, for error messages. */
  private elementStart = 0;
  private failed: RespProtocolError | undefined;

  constructor(limits: Partial<RespParserLimits> = {}) {
    this.limits = { ...defaultRespParserLimits, ...limits };
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

  /** True when the parser is between values with nothing partial held. */
  get idle(): boolean {
    return this.state === "type" && this.stack.length === 0 && this.topAttributes === undefined && this.bufferedBytes === 0;
  }

  /** The next complete top-level value, or undefined if more input is needed. */
  next(): RespValue | undefined {
    if (this.failed) throw this.failed;
    try {
      return this.step();
    } catch (error) {
      if (error instanceof RespProtocolError) this.failed = error;
      throw error;
    }
  }

  private step(): RespValue | undefined {
    for (;;) {
      const chunk = this.chunks[0];
      if (chunk === undefined) return undefined;
      if (this.offset >= chunk.length) {
        this.chunks.shift();
        this.offset = 0;
        continue;
      }
      let done: RespValue | undefined;
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
    const atTop = this.stack.length === 0 && this.topAttributes === undefined;
    if (atTop && this.limits.inlineCommands && byte !== 0x2a) {
      this.state = "inline";
      return;
    }
    if (!lineTypes.has(byte)) {
      this.fail(`expected a type byte, got ${describeByte(byte)}`);
    }
    this.consume(chunk, 1);
    this.lineType = byte;
    this.state = "line";
  }

  private readLine(chunk: Buffer): RespValue | undefined {
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

  private finishInline(raw: Buffer): RespValue | undefined {
    const line = raw.length > 0 && raw[raw.length - 1] === CR ? raw.subarray(0, raw.length - 1) : raw;
    const args = splitInlineCommand(line);
    if (args === undefined) this.fail("unbalanced quotes in inline request");
    // An empty line is a keep-alive from telnet users; Redis ignores it too.
    if (args.length === 0) {
      this.valueBytes = 0;
      return undefined;
    }
    return this.deliver({ type: "array", value: args.map((value) => ({ type: "bulk", value })) });
  }

  /** The line held in `source` from `start` to `end` (CRLF excluded). */
  private finishLine(source: Buffer, start: number, end: number): RespValue | undefined {
    if (lengthTypes.has(this.lineType)) {
      // Lengths are read from the bytes; the text is only built to report a bad one.
      let count = readLength(source, start, end);
      if (count === undefined) count = parseLength(source.toString("utf8", start, end), this);
      if (bulkTypes.has(this.lineType)) return this.startBulk(count);
      return this.startAggregate(aggregateKinds[String.fromCharCode(this.lineType)]!, count);
    }
    const type = String.fromCharCode(this.lineType);
    const text = source.toString("utf8", start, end);
    switch (type) {
      case "+":
        return this.deliver({ type: "simple", value: text });
      case "-":
        return this.deliver({ type: "error", value: text });
      case ":":
        return this.deliver({ type: "integer", value: parseInteger(text, true, this) });
      case "(":
        return this.deliver({ type: "bignum", value: parseInteger(text, false, this) });
      case "_":
        if (end !== start) this.fail("null carries no data");
        return this.deliver({ type: "null" });
      case "#":
        if (text !== "t" && text !== "f") this.fail(`invalid boolean '${text}'`);
        return this.deliver({ type: "boolean", value: text === "t" });
      case ",":
        return this.deliver({ type: "double", value: parseDouble(text, this) });
      default:
        // Unreachable: readType admits only the line types handled here and above.
        return this.fail(`unknown type byte ${describeByte(this.lineType)}`);
    }
  }

  private startBulk(length: number): RespValue | undefined {
    if (length === -1) {
      if (this.lineType !== 0x24) this.fail("only a RESP2 bulk string may have length -1");
      return this.deliver({ type: "null" });
    }
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
      return this.finishBulk(chunk.subarray(start, start + length));
    }
    this.bulk = Buffer.allocUnsafe(length);
    this.bulkFilled = 0;
    this.bulkEndSeen = 0;
    this.state = length === 0 ? "bulkEnd" : "bulk";
    return undefined;
  }

  private readBulk(chunk: Buffer): void {
    const take = Math.min(chunk.length - this.offset, this.bulk.length - this.bulkFilled);
    chunk.copy(this.bulk, this.bulkFilled, this.offset, this.offset + take);
    this.bulkFilled += take;
    this.consume(chunk, take);
    if (this.bulkFilled === this.bulk.length) this.state = "bulkEnd";
  }

  private readBulkEnd(chunk: Buffer): RespValue | undefined {
    const byte = chunk[this.offset]!;
    const expected = this.bulkEndSeen === 0 ? CR : LF;
    if (byte !== expected) this.fail(`bulk string not followed by CRLF (got ${describeByte(byte)})`, this.consumed);
    this.consume(chunk, 1);
    this.bulkEndSeen++;
    if (this.bulkEndSeen < 2) return undefined;
    this.state = "type";
    const data = this.bulk;
    this.bulk = noBytes;
    return this.finishBulk(data);
  }

  private finishBulk(data: Buffer): RespValue | undefined {
    if (this.bulkType === 0x21) return this.deliver({ type: "bulkError", value: data });
    if (this.bulkType === 0x3d) {
      if (data.length < 4 || data[3] !== 0x3a) this.fail("verbatim string lacks its 'fmt:' prefix");
      return this.deliver({ type: "verbatim", format: data.toString("latin1", 0, 3), value: data.subarray(4) });
    }
    return this.deliver({ type: "bulk", value: data });
  }

  private startAggregate(kind: AggregateKind, count: number): RespValue | undefined {
    if (count === -1) {
      if (kind !== "array") this.fail(`only a RESP2 array may have length -1`);
      return this.deliver({ type: "null" });
    }
    if (count > this.limits.maxAggregateLength) {
      this.fail(`${kind} length ${count} exceeds the limit of ${this.limits.maxAggregateLength}`);
    }
    if (this.stack.length >= this.limits.maxDepth) this.fail(`nesting deeper than ${this.limits.maxDepth}`);
    const paired = kind === "map" || kind === "attribute";
    const remaining = paired ? count * 2 : count;
    const aggregate: OpenAggregate = { kind, items: [], remaining };
    if (remaining === 0) return this.closeAggregate(aggregate);
    this.stack.push(aggregate);
    return undefined;
  }

  private closeAggregate(aggregate: OpenAggregate): RespValue | undefined {
    const items = aggregate.items;
    switch (aggregate.kind) {
      case "array":
      case "set":
      case "push":
        return this.deliver({ type: aggregate.kind, value: items });
      case "map":
        return this.deliver({ type: "map", value: pairUp(items) });
      case "attribute": {
        const parent = this.stack[this.stack.length - 1];
        const attributes = pairUp(items);
        if (parent) parent.attributes = attributes;
        else this.topAttributes = attributes;
        return undefined;
      }
    }
  }

  /** Hands a finished value to its enclosing aggregate, or returns it when it is top-level. */
  private deliver(value: RespValue): RespValue | undefined {
    const parent = this.stack[this.stack.length - 1];
    if (parent === undefined) {
      const attributes = this.topAttributes;
      this.topAttributes = undefined;
      this.valueBytes = 0;
      return attributes ? { type: "attributed", attributes, value } : value;
    }
    if (parent.attributes) {
      parent.items.push({ type: "attributed", attributes: parent.attributes, value });
      parent.attributes = undefined;
    } else {
      parent.items.push(value);
    }
    parent.remaining--;
    if (parent.remaining > 0) return undefined;
    this.stack.pop();
    return this.closeAggregate(parent);
  }

  /** @internal used by the number parsers below to report with the stream position. */
  fail(reason: string, at: number = this.elementStart): never {
    throw new RespProtocolError(`${reason} (at byte ${at} of the stream)`);
  }
}

function pairUp(items: readonly RespValue[]): (readonly [RespValue, RespValue])[] {
  const pairs: (readonly [RespValue, RespValue])[] = [];
  for (let i = 0; i < items.length; i += 2) pairs.push([items[i]!, items[i + 1]!]);
  return pairs;
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

function parseLength(text: string, parser: RespParser): number {
  if (!/^(-1|0|[1-9]\d{0,14})$/.test(text)) parser.fail(`invalid length '${truncate(text)}'`);
  return Number(text);
}

function parseInteger(text: string, int64: boolean, parser: RespParser): bigint {
  if (!/^[+-]?\d+$/.test(text) || (int64 && text.length > 20)) parser.fail(`invalid integer '${truncate(text)}'`);
  const value = BigInt(text);
  if (int64 && (value < minInt64 || value > maxInt64)) parser.fail(`integer '${text}' is not a signed 64-bit value`);
  return value;
}

function parseDouble(text: string, parser: RespParser): number {
  const lower = text.toLowerCase();
  if (lower === "inf" || lower === "+inf") return Infinity;
  if (lower === "-inf") return -Infinity;
  if (lower === "nan") return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) parser.fail(`invalid double '${truncate(text)}'`);
  return Number(text);
}

function describeByte(byte: number): string {
  return byte >= 0x20 && byte < 0x7f ? `'${String.fromCharCode(byte)}'` : `0x${byte.toString(16).padStart(2, "0")}`;
}

function truncate(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}
