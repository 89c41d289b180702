import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseJsonExact } from "../../../runtime/codec/exact-json-parse.js";

// Plain-object copy, so results compare equal to JSON.parse's (the parser's objects have a null prototype).
function plain(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

describe("parseJsonExact", () => {
  it("agrees with JSON.parse on any JSON without unsafe integers (property)", () => {
    fc.assert(
      fc.property(fc.json(), (text) => {
        const expected = JSON.parse(text);
        const hasUnsafe = /(?<![.\deE+-])-?\d{16,}(?![.\deE])/.test(text);
        if (!hasUnsafe) expect(plain(parseJsonExact(text))).toStrictEqual(expected);
      }),
      { numRuns: 1000 },
    );
  });

  it("keeps integers beyond 2^53 exact as bigints", () => {
    expect(parseJsonExact("[9007199254740993, -9223372036854775808, 9007199254740991, 1.5, 1e3]")).toStrictEqual([
      9007199254740993n,
      -9223372036854775808n,
      9007199254740991,
      1.5,
      1000,
    ]);
  });

  it("gives objects no prototype, so __proto__ is an ordinary key", () => {
    const value = parseJsonExact('{"__proto__": {"polluted": 1}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(null);
    expect(Object.keys(value)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("rejects malformed text with its position", () => {
    for (const [text, message] of [
      ["", /expected a JSON value at position 0/],
      ["[1,]", /expected a JSON value at position 3/],
      ['{"a" 1}', /expected ':'/],
      ['"abc', /unterminated string/],
      ['"a\u0001"', /control character/],
      ["[1] x", /unexpected text after the JSON value/],
      ["-", /malformed number/],
      ["[".repeat(600), /nested deeper than 512/],
    ] as const) {
      expect(() => parseJsonExact(text), text).toThrow(message);
    }
  });
});
