import { describe, expect, it } from "vitest";
import { Code, RpcError, type MethodDescriptor } from "@rpcgen/runtime";
import { jsonCodec } from "@rpcgen/runtime/internal/codec/json-codec.js";
import { NotFound, field, fullEverything, ping, roundTrip, t } from "./fixtures/lab-descriptors.js";
import { methodOf } from "./fixtures/random-descriptors.js";

const text = (bytes: Uint8Array) => Buffer.from(bytes).toString("utf8");
const body = (json: string) => Buffer.from(json, "utf8");

function rpcError(action: () => unknown): RpcError {
  try {
    action();
  } catch (error) {
    if (error instanceof RpcError) return error;
    throw error;
  }
  throw new Error("expected an RpcError");
}

describe("json codec: the documented forms", () => {
  it("writes args as an object keyed by IDL name with every value form", () => {
    const json = JSON.parse(
      text(jsonCodec.encodeArgs(roundTrip, [fullEverything(), 42])).replace(/(-?\d{16,})/g, '"$1"'),
    );
    expect(json).toEqual({
      value: {
        flag: false,
        tiny: -128,
        small: 32767,
        medium: -2147483648,
        big: "-9223372036854775808",
        ratio: -0,
        text: "héllo, wörld 👋",
        blob: "AAEC/f7/",
        id: "123e4567-e89b-12d3-a456-426614174000",
        color: 7,
        numbers: [0, -1, 2147483647],
        tags: ["a", "", "ü"],
        labels: [
          [{ x: 1, y: 2 }, "one-two"],
          [{ x: 0, y: 0 }, ""],
        ],
        nested: [[["k", ["9223372036854775807", 0]]], []],
        origin: { x: 0, y: -5 },
        shape: { label: "" },
        bigNumber: "9007199254740991",
        asString: "-9223372036854775808",
        doubles: ["NaN", "Infinity", "-Infinity", -0, 1.5e-300],
        byId: [[0, { x: 3, y: 4 }]],
        far: "9007199254740993",
        negative: "minus one",
      },
      n: 42,
    });
  });

  it("writes i64 as exact JSON digits and -0 with its sign", () => {
    const method = methodOf({ name: "a", kind: "struct", fields: [] }, t.list(t.i64));
    const value = [-(1n << 63n), (1n << 63n) - 1n, 9007199254740993n];
    const bytes = jsonCodec.encodeOutcome(method, { fieldId: 0, value });
    expect(text(bytes)).toBe('{"success":[-9223372036854775808,9223372036854775807,9007199254740993]}');
    expect(jsonCodec.decodeOutcome(method, bytes).value).toStrictEqual(value);
    const doubles = methodOf({ name: "a", kind: "struct", fields: [] }, t.double);
    expect(text(jsonCodec.encodeOutcome(doubles, { fieldId: 0, value: -0 }))).toBe('{"success":-0}');
  });

  it("reads i64 digits exactly into each representation", () => {
    for (const [type, expected] of [
      [t.i64, 9223372036854775807n],
      [t.i64String, "9223372036854775807"],
    ] as const) {
      const method = methodOf({ name: "a", kind: "struct", fields: [] }, type);
      expect(jsonCodec.decodeOutcome(method, body('{"success": 9223372036854775807}')).value).toBe(expected);
      expect(jsonCodec.decodeOutcome(method, body('{"success": "9223372036854775807"}')).value).toBe(expected);
    }
    const asNumber = methodOf({ name: "a", kind: "struct", fields: [] }, t.i64Number);
    expect(jsonCodec.decodeOutcome(asNumber, body('{"success": -9007199254740991}')).value).toBe(-9007199254740991);
    expect(() => jsonCodec.decodeOutcome(asNumber, body('{"success": 9007199254740993}'))).toThrow(
      /does not fit a JavaScript number exactly/,
    );
    expect(() =>
      jsonCodec.decodeOutcome(
        methodOf({ name: "a", kind: "struct", fields: [] }, t.i64),
        body('{"success": 9223372036854775808}'),
      ),
    ).toThrow(/signed 64-bit range/);
    const bigint = methodOf({ name: "a", kind: "struct", fields: [] }, t.i64);
    expect(jsonCodec.decodeOutcome(bigint, body('{"success": 1e3}')).value).toBe(1000n);
    expect(() => jsonCodec.decodeOutcome(bigint, body('{"success": 1e20}'))).toThrow(
      /at success: expected i64 \(an integer in the signed 64-bit range\), got number 100000000000000000000/,
    );
  });

  it("writes a union as an object with exactly one key and rejects other counts", () => {
    const shapeArg = roundTrip.args.fields[0]!;
    expect(text(jsonCodec.encodeArgs(roundTrip, [{ shape: { radius: 1.5 } }]))).toBe(
      '{"value":{"shape":{"radius":1.5}}}',
    );
    expect(rpcError(() => jsonCodec.encodeArgs(roundTrip, [{ shape: { radius: 1, label: "x" } }])).message).toMatch(
      /at value\.shape: union lab\.Shape must have exactly one field set, found 2/,
    );
    expect(rpcError(() => jsonCodec.decodeArgs(roundTrip, body('{"value":{"shape":{}}}'))).message).toMatch(/found 0/);
    expect(shapeArg.name).toBe("value");
  });

  it("writes a void success as {} and an exception as its fields", () => {
    expect(text(jsonCodec.encodeOutcome(ping, { fieldId: 0, value: undefined }))).toBe("{}");
    expect(jsonCodec.decodeOutcome(ping, body("{}"))).toEqual({ fieldId: 0, value: undefined });
    expect(text(jsonCodec.encodeOutcome(ping, { fieldId: 0, value: "ignored" }))).toBe("{}");
    const bytes = jsonCodec.encodeOutcome(roundTrip, { fieldId: 1, value: new NotFound({ what: "gone", code: 404 }) });
    expect(text(bytes)).toBe('{"notFound":{"what":"gone","code":404}}');
    const outcome = jsonCodec.decodeOutcome(roundTrip, bytes);
    expect(outcome.fieldId).toBe(1);
    expect(outcome.value).toBeInstanceOf(NotFound);
    expect((outcome.value as NotFound).code).toBe(404);
  });

  it("skips unknown keys and treats null as absent", () => {
    expect(
      jsonCodec.decodeArgs(roundTrip, body('{"extra": [1, {"x": 2}], "n": null, "value": {"tiny": 1, "zzz": 3}}')),
    ).toStrictEqual([{ tiny: 1 }, undefined]);
  });

  it("never lets a decoded key named __proto__ set a prototype", () => {
    const method: MethodDescriptor = {
      ...roundTrip,
      args: {
        name: "P_args",
        kind: "struct",
        fields: [
          field(
            1,
            "__proto__",
            t.struct(() => roundTrip.args),
          ),
        ],
      },
    };
    const [value] = jsonCodec.decodeArgs(method, body('{"__proto__": {"n": 5}}'));
    expect(value).toEqual({ n: 5 });
    const plain = jsonCodec.decodeArgs(
      roundTrip,
      body('{"value": {"__proto__": {"polluted": true}, "tiny": 1}}'),
    )[0] as object;
    expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
    expect((plain as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("applies an IDL default to an absent default-requiredness field", () => {
    const method: MethodDescriptor = {
      ...roundTrip,
      args: {
        name: "D_args",
        kind: "struct",
        fields: [field(1, "size", t.i32, "default", { defaultValue: () => 10 })],
      },
    };
    expect(jsonCodec.decodeArgs(method, body("{}"))).toEqual([10]);
    expect(jsonCodec.decodeArgs(method, body('{"size": 3}'))).toEqual([3]);
  });
});

describe("json codec: errors", () => {
  it("names the field path and the wrong value on encode", () => {
    const error = rpcError(() => jsonCodec.encodeArgs(roundTrip, [{ labels: new Map([[{ x: 1, y: "2" }, "a"]]) }]));
    expect(error.code).toBe(Code.INVALID_ARGUMENT);
    expect(error.message).toBe(
      'Lab.roundTrip: cannot encode args at value.labels[key #0].y: expected i32 (an integer in -2147483648..2147483647), got string "2"',
    );
    expect(rpcError(() => jsonCodec.encodeArgs(roundTrip, [{ numbers: [1, 2.5] }])).message).toMatch(
      /value\.numbers\[1\]: expected i32/,
    );
    expect(rpcError(() => jsonCodec.encodeArgs(roundTrip, [{ tiny: 128 }])).message).toMatch(
      /value\.tiny: expected i8/,
    );
    expect(rpcError(() => jsonCodec.encodeArgs(roundTrip, [{ color: 3 }])).message).toMatch(
      /enum lab\.Color, got number 3/,
    );
    expect(rpcError(() => jsonCodec.encodeArgs(roundTrip, [{ id: "nope" }])).message).toMatch(/expected uuid/);
    expect(rpcError(() => jsonCodec.encodeArgs(roundTrip, [{ big: 1.5 }])).message).toMatch(/expected i64/);
    expect(rpcError(() => jsonCodec.encodeArgs(roundTrip, [{ origin: { x: 1 } }])).message).toMatch(
      /value\.origin\.y: required field is missing/,
    );
  });

  it("reports a bad result as INTERNAL", () => {
    const error = rpcError(() => jsonCodec.encodeOutcome(roundTrip, { fieldId: 0, value: { text: 5 } }));
    expect(error.code).toBe(Code.INTERNAL);
    expect(error.message).toMatch(/encode outcome at success\.text: expected string/);
    expect(rpcError(() => jsonCodec.encodeOutcome(roundTrip, { fieldId: 0, value: undefined })).message).toMatch(
      /non-void/,
    );
    expect(rpcError(() => jsonCodec.encodeOutcome(roundTrip, { fieldId: 9, value: 1 })).message).toMatch(
      /no field with id 9/,
    );
  });

  it("decodes bad args bytes to INVALID_ARGUMENT and bad reply bytes to INTERNAL", () => {
    for (const bad of [
      "",
      "{",
      "[1]",
      "null",
      '{"value": 3}',
      '{"value": {"blob": "***"}}',
      '{"n": "1"}',
      "\u00ff\u00fe",
    ]) {
      expect(rpcError(() => jsonCodec.decodeArgs(roundTrip, body(bad))).code).toBe(Code.INVALID_ARGUMENT);
      expect(rpcError(() => jsonCodec.decodeOutcome(roundTrip, body(bad))).code).toBe(Code.INTERNAL);
    }
    expect(rpcError(() => jsonCodec.decodeOutcome(roundTrip, body('{"success": {}, "notFound": {}}'))).message).toMatch(
      /more than one outcome \(success, notFound\)/,
    );
    expect(rpcError(() => jsonCodec.decodeOutcome(roundTrip, body("{}"))).message).toMatch(/neither a result/);
  });
});
