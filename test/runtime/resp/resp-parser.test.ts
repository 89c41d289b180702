import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { type RespValue } from "@rpcgen/runtime";
import { RespParser, RespProtocolError } from "@rpcgen/runtime/internal/resp/resp-parser.js";
import { serializeResp } from "@rpcgen/runtime/internal/resp/resp-serializer.js";

function parseAll(input: Buffer, parser = new RespParser()): RespValue[] {
  parser.push(input);
  const values: RespValue[] = [];
  for (let value = parser.next(); value !== undefined; value = parser.next()) values.push(value);
  return values;
}

/** Feeds `input` in pieces cut at `cuts`, pulling values after every piece. */
function parseInPieces(input: Buffer, cuts: number[], parser = new RespParser()): RespValue[] {
  const values: RespValue[] = [];
  let start = 0;
  for (const cut of [...cuts, input.length]) {
    parser.push(input.subarray(start, cut));
    start = cut;
    for (let value = parser.next(); value !== undefined; value = parser.next()) values.push(value);
  }
  return values;
}

const bulk = (text: string): RespValue => ({ type: "bulk", value: Buffer.from(text) });

// One sample of every RESP2 and RESP3 type, with the bytes that spell it.
const samples: [string, RespValue][] = [
  ["+OK\r\n", { type: "simple", value: "OK" }],
  ["-ERR bad thing\r\n", { type: "error", value: "ERR bad thing" }],
  [":-9223372036854775808\r\n", { type: "integer", value: -(2n ** 63n) }],
  ["$5\r\nhe\r\no\r\n", bulk("he\r\no")],
  ["$0\r\n\r\n", bulk("")],
  ["$-1\r\n", { type: "null" }],
  ["*-1\r\n", { type: "null" }],
  ["_\r\n", { type: "null" }],
  ["*2\r\n:1\r\n*1\r\n+x\r\n", { type: "array", value: [{ type: "integer", value: 1n }, { type: "array", value: [{ type: "simple", value: "x" }] }] }],
  ["*0\r\n", { type: "array", value: [] }],
  [",3.25\r\n", { type: "double", value: 3.25 }],
  [",-inf\r\n", { type: "double", value: -Infinity }],
  ["#t\r\n", { type: "boolean", value: true }],
  ["(123456789012345678901234567890\r\n", { type: "bignum", value: 123456789012345678901234567890n }],
  ["!9\r\nSYNTAX no\r\n", { type: "bulkError", value: Buffer.from("SYNTAX no") }],
  ["=8\r\ntxt:some\r\n", { type: "verbatim", format: "txt", value: Buffer.from("some") }],
  ["%1\r\n+k\r\n:2\r\n", { type: "map", value: [[{ type: "simple", value: "k" }, { type: "integer", value: 2n }]] }],
  ["~2\r\n+a\r\n+b\r\n", { type: "set", value: [{ type: "simple", value: "a" }, { type: "simple", value: "b" }] }],
  [">2\r\n+message\r\n+hi\r\n", { type: "push", value: [{ type: "simple", value: "message" }, { type: "simple", value: "hi" }] }],
  [
    "|1\r\n+ttl\r\n:3\r\n+value\r\n",
    { type: "attributed", attributes: [[{ type: "simple", value: "ttl" }, { type: "integer", value: 3n }]], value: { type: "simple", value: "value" } },
  ],
];

describe("RespParser", () => {
  it.each(samples)("parses %j", (text, expected) => {
    expect(parseAll(Buffer.from(text))).toEqual([expected]);
  });

  it("parses every sample split at every byte boundary, one pipelined stream", () => {
    const stream = Buffer.from(samples.map(([text]) => text).join(""));
    const expected = samples.map(([, value]) => value);
    for (let cut = 0; cut <= stream.length; cut++) {
      expect(parseInPieces(stream, [cut])).toEqual(expected);
    }
    // And byte by byte.
    expect(parseInPieces(stream, [...Array(stream.length).keys()])).toEqual(expected);
  });

  it("returns undefined while a value is partial and keeps what it has", () => {
    const parser = new RespParser();
    parser.push(Buffer.from("*2\r\n$3\r\nfo"));
    expect(parser.next()).toBeUndefined();
    parser.push(Buffer.from("o\r\n$3\r\nbar\r\n"));
    expect(parser.next()).toEqual({ type: "array", value: [bulk("foo"), bulk("bar")] });
    expect(parser.idle).toBe(true);
  });

  it("reads inline commands with quotes when enabled", () => {
    const parser = new RespParser({ inlineCommands: true });
    const values = parseAll(Buffer.from('PING\r\n\r\nCALL Calculator.echoString "a b\\n\\x41" \'it\\\'s\'\nSET  a   b\r\n'), parser);
    expect(values).toEqual([
      { type: "array", value: [bulk("PING")] },
      { type: "array", value: [bulk("CALL"), bulk("Calculator.echoString"), bulk("a b\nA"), bulk("it's")] },
      { type: "array", value: [bulk("SET"), bulk("a"), bulk("b")] },
    ]);
  });

  it("rejects unbalanced quotes in an inline command", () => {
    expect(() => parseAll(Buffer.from('ECHO "abc\r\n'), new RespParser({ inlineCommands: true }))).toThrow(/unbalanced quotes/);
  });

  it.each([
    ["an unknown type byte", "?x\r\n", /expected a type byte, got '\?'/],
    ["a bad length", "$abc\r\n", /invalid length 'abc'/],
    ["a negative length", "*-2\r\n", /invalid length '-2'/],
    ["a bulk without CRLF", "$3\r\nfooXY", /bulk string not followed by CRLF/],
    ["a line without CR", ":12\n", /line not terminated by CRLF/],
    ["a bad integer", ":12a\r\n", /invalid integer '12a'/],
    ["an integer beyond 64 bits", ":9223372036854775808\r\n", /not a signed 64-bit value/],
    ["a bad boolean", "#x\r\n", /invalid boolean 'x'/],
    ["a bad double", ",1.2.3\r\n", /invalid double/],
    ["a null with data", "_x\r\n", /null carries no data/],
    ["a RESP3 null length", "%-1\r\n", /only a RESP2 array/],
    ["a verbatim string without format", "=3\r\nabc\r\n", /verbatim string lacks/],
  ])("rejects %s with a clear message", (_label, text, message) => {
    expect(() => parseAll(Buffer.from(text))).toThrow(message);
    expect(() => parseAll(Buffer.from(text))).toThrow(RespProtocolError);
  });

  it("stays failed after a protocol error", () => {
    const parser = new RespParser();
    parser.push(Buffer.from("?"));
    expect(() => parser.next()).toThrow(RespProtocolError);
    parser.push(Buffer.from("+OK\r\n"));
    expect(() => parser.next()).toThrow(RespProtocolError);
  });

  it("checks declared lengths against the limits before any data arrives", () => {
    const limited = () => new RespParser({ maxBulkBytes: 10, maxAggregateLength: 3, maxDepth: 2, maxLineBytes: 8, maxValueBytes: 40 });
    expect(() => parseAll(Buffer.from("$11\r\n"), limited())).toThrow(/bulk length 11 exceeds the limit of 10/);
    expect(() => parseAll(Buffer.from("$999999999999999\r\n"), new RespParser({ maxBulkBytes: 10 }))).toThrow(/bulk length 999999999999999 exceeds the limit of 10/);
    expect(() => parseAll(Buffer.from("*4\r\n"), limited())).toThrow(/array length 4 exceeds the limit of 3/);
    expect(() => parseAll(Buffer.from("*1\r\n*1\r\n*1\r\n"), limited())).toThrow(/nesting deeper than 2/);
    expect(() => parseAll(Buffer.from("+1234567890"), limited())).toThrow(/line longer than 8 bytes/);
    expect(() => parseAll(Buffer.from("*3\r\n$10\r\n0123456789\r\n$10\r\n0123456789\r\n$10\r\n"), limited())).toThrow(/value exceeds the limit of 40 bytes/);
    expect(() => parseAll(Buffer.from("x".repeat(20)), new RespParser({ inlineCommands: true, maxLineBytes: 8 }))).toThrow(/too big inline request/);
  });

  it("joins a bulk string that spans chunks from pieces of any size", () => {
    const payload = Buffer.from(Array.from({ length: 40_000 }, (_, i) => (i * 7) % 251));
    const bytes = Buffer.concat([Buffer.from(`$${payload.length}\r\n`), payload, Buffer.from("\r\n")]);
    // Big pieces (kept as views), single bytes (copied), and pieces around the 4 KiB and 16 KiB marks.
    const cutSets = [[100], [5000, 20_000], [9, 10, 11, 12, 5000, 5001, 9097, 26_000, 26_001], Array.from({ length: 400 }, (_, i) => 8 + i * 97)];
    for (const cuts of cutSets) {
      expect(parseInPieces(bytes, cuts)).toEqual([{ type: "bulk", value: payload }]);
    }
  });

  it("hands out a bulk string whose payload ends its chunk as a view of that chunk", () => {
    const parser = new RespParser();
    const payload = Buffer.from("$5000\r\n" + "z".repeat(5000));
    parser.push(payload);
    expect(parser.next()).toBeUndefined();
    parser.push(Buffer.from("\r\n"));
    const value = parser.next();
    expect(value?.type === "bulk" && value.value.buffer).toBe(payload.buffer);
  });

  it("holds what arrives of a bulk string, not what its header declares", () => {
    const parser = new RespParser();
    parser.push(Buffer.from("$16000000\r\n"));
    expect(parser.next()).toBeUndefined();
    expect(parser.heldBytes).toBe(11);
    parser.push(Buffer.alloc(100_000));
    expect(parser.next()).toBeUndefined();
    expect(parser.heldBytes).toBe(100_011);
  });

  it("round-trips any value through the serializer, split anywhere (RESP3)", () => {
    fc.assert(
      fc.property(respValue, fc.array(fc.nat(), { maxLength: 6 }), (value, rawCuts) => {
        const bytes = serializeResp(value, 3);
        const cuts = [...new Set(rawCuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        expect(parseInPieces(bytes, cuts)).toEqual([value]);
      }),
      { numRuns: 300 },
    );
  });

  it("never throws anything but RespProtocolError on garbage, and never hangs", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (garbage, inline) => {
        const parser = new RespParser({ inlineCommands: inline, maxBulkBytes: 1000, maxAggregateLength: 100 });
        parser.push(Buffer.from(garbage));
        try {
          for (let i = 0; i < 1000 && parser.next() !== undefined; i++);
        } catch (error) {
          expect(error).toBeInstanceOf(RespProtocolError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("never throws anything but RespProtocolError on mutated valid input", () => {
    fc.assert(
      fc.property(respValue, fc.nat(), fc.integer({ min: 0, max: 255 }), (value, at, byte) => {
        const bytes = Buffer.from(serializeResp(value, 3));
        bytes[at % bytes.length] = byte;
        const parser = new RespParser();
        parser.push(bytes);
        try {
          for (let i = 0; i < 1000 && parser.next() !== undefined; i++);
        } catch (error) {
          expect(error).toBeInstanceOf(RespProtocolError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

const pairOf = (v: fc.Arbitrary<RespValue>) => fc.tuple(v, v).map(([a, b]) => [a, b] as const);
const { respValue } = fc.letrec<{ respValue: RespValue }>((tie) => ({
  respValue: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.string().filter((s) => !/[\r\n]/.test(s)).map((value): RespValue => ({ type: "simple", value })),
    fc.string().filter((s) => !/[\r\n]/.test(s)).map((value): RespValue => ({ type: "error", value })),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((value): RespValue => ({ type: "integer", value })),
    fc.uint8Array({ maxLength: 40 }).map((value): RespValue => ({ type: "bulk", value: Buffer.from(value) })),
    fc.constant<RespValue>({ type: "null" }),
    fc.double().filter((d) => !Object.is(d, -0)).map((value): RespValue => ({ type: "double", value })),
    fc.boolean().map((value): RespValue => ({ type: "boolean", value })),
    fc.bigInt().map((value): RespValue => ({ type: "bignum", value })),
    fc.uint8Array({ maxLength: 20 }).map((value): RespValue => ({ type: "bulkError", value: Buffer.from(value) })),
    fc.uint8Array({ maxLength: 20 }).map((value): RespValue => ({ type: "verbatim", format: "txt", value: Buffer.from(value) })),
    fc.array(tie("respValue"), { maxLength: 4 }).map((value): RespValue => ({ type: "array", value })),
    fc.array(tie("respValue"), { maxLength: 3 }).map((value): RespValue => ({ type: "set", value })),
    fc.array(tie("respValue"), { maxLength: 3 }).map((value): RespValue => ({ type: "push", value })),
    fc.array(pairOf(tie("respValue")), { maxLength: 3 }).map((value): RespValue => ({ type: "map", value })),
  ),
}));
