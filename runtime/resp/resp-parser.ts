import { defaultRespParserLimits, type RespParserLimits } from "./resp-parser-limits.js";
import { describeByte, RespReader, truncateText, typeTable } from "./resp-reader.js";
import type { RespValue } from "./resp-value.js";

export { RespProtocolError } from "./resp-protocol-error.js";
export { defaultRespParserLimits, type RespParserLimits } from "./resp-parser-limits.js";

type AggregateKind = "array" | "map" | "set" | "push" | "attribute";

interface OpenAggregate {
  readonly kind: AggregateKind;
  readonly items: RespValue[];
  remaining: number;
  /** Attributes read inside this aggregate, waiting for the value they describe. */
  attributes?: (readonly [RespValue, RespValue])[];
}

const anyType = typeTable("+-:$*_,#(!=%~>|");
const bulkTypes = new Set([..."$!="].map((c) => c.charCodeAt(0)));
/** Types whose line is a length: bulk strings and aggregates. */
const lengthTypes = new Set([..."$!=*%~>|"].map((c) => c.charCodeAt(0)));
const aggregateKinds: Record<string, AggregateKind> = { "*": "array", "%": "map", "~": "set", ">": "push", "|": "attribute" };
const minInt64 = -(2n ** 63n);
const maxInt64 = 2n ** 63n - 1n;

/**
 * An incremental parser of any RESP2 or RESP3 value, for clients reading replies
 * (servers read commands with RespRequestParser, which builds no object per
 * element). Input handling, limits and errors are RespReader's.
 */
export class RespParser extends RespReader<RespValue> {
  private readonly stack: OpenAggregate[] = [];
  private topAttributes: (readonly [RespValue, RespValue])[] | undefined;

  constructor(limits: Partial<RespParserLimits> = {}) {
    super({ ...defaultRespParserLimits, ...limits }, anyType);
  }

  protected override atTop(): boolean {
    return this.stack.length === 0 && this.topAttributes === undefined;
  }

  protected override rejectTypeByte(byte: number): never {
    return this.fail(`expected a type byte, got ${describeByte(byte)}`);
  }

  protected override finishInlineCommand(words: Buffer[]): RespValue | undefined {
    return this.deliver({ type: "array", value: words.map((value) => ({ type: "bulk", value })) });
  }

  protected override finishLine(source: Buffer, start: number, end: number): RespValue | undefined {
    if (lengthTypes.has(this.lineType)) {
      const count = this.readLengthLine(source, start, end);
      if (bulkTypes.has(this.lineType)) {
        if (count !== -1) return this.startBulk(count);
        if (this.lineType !== 0x24) this.fail("only a RESP2 bulk string may have length -1");
        return this.deliver({ type: "null" });
      }
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
        // Unreachable: anyType admits only the line types handled here and above.
        return this.fail(`unknown type byte ${describeByte(this.lineType)}`);
    }
  }

  protected override finishBulk(data: Buffer): RespValue | undefined {
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
}

function pairUp(items: readonly RespValue[]): (readonly [RespValue, RespValue])[] {
  const pairs: (readonly [RespValue, RespValue])[] = [];
  for (let i = 0; i < items.length; i += 2) pairs.push([items[i]!, items[i + 1]!]);
  return pairs;
}

function parseInteger(text: string, int64: boolean, parser: RespParser): bigint {
  if (!/^[+-]?\d+$/.test(text) || (int64 && text.length > 20)) parser.fail(`invalid integer '${truncateText(text)}'`);
  const value = BigInt(text);
  if (int64 && (value < minInt64 || value > maxInt64)) parser.fail(`integer '${text}' is not a signed 64-bit value`);
  return value;
}

function parseDouble(text: string, parser: RespParser): number {
  const lower = text.toLowerCase();
  if (lower === "inf" || lower === "+inf") return Infinity;
  if (lower === "-inf") return -Infinity;
  if (lower === "nan") return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) parser.fail(`invalid double '${truncateText(text)}'`);
  return Number(text);
}
