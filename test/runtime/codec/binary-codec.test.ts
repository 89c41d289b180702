import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Code, RpcError } from "@rpcgen/runtime";
import { binaryCodec } from "@rpcgen/runtime/internal/codec/binary-codec.js";
import { jsonCodec } from "@rpcgen/runtime/internal/codec/json-codec.js";
import { echo, fullEverything, roundTrip, t, tree } from "./fixtures/lab-descriptors.js";
import { methodOf } from "./fixtures/random-descriptors.js";

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex");
const bytesOf = (hexText: string) => Buffer.from(hexText.replace(/\s+/g, ""), "hex");

function rpcError(action: () => unknown): RpcError {
  try {
    action();
  } catch (error) {
    if (error instanceof RpcError) return error;
    throw error;
  }
  throw new Error("expected an RpcError");
}

describe("binary codec: bytes", () => {
  it("writes optional scalars even at zero and numbers fields by protoNumber", () => {
    // text = 1 (string), n = 2 (int32 varint)
    expect(hex(binaryCodec.encodeArgs(echo, ["", 0]))).toBe("0a00" + "1000");
    expect(hex(binaryCodec.encodeArgs(echo, [undefined, -1]))).toBe("10ffffffffffffffffff01");
  });

  it("packs repeated numerics inside the wrapper message", () => {
    const body = binaryCodec.encodeArgs(roundTrip, [{ numbers: [1, 2, 300] }]);
    // value (1) { numbers (11) { items (1, packed) [1, 2, 300] } }
    expect(hex(body)).toBe("0a08" + "5a06" + "0a04" + "0102ac02");
  });

  it("writes an empty container as an empty wrapper, distinct from an absent one", () => {
    expect(hex(binaryCodec.encodeArgs(roundTrip, [{ numbers: [] }]))).toBe("0a02" + "5a00");
    expect(hex(binaryCodec.encodeArgs(roundTrip, [{}]))).toBe("0a00");
    expect(binaryCodec.decodeArgs(roundTrip, bytesOf("0a02 5a00"))).toStrictEqual([{ numbers: [] }, undefined]);
  });

  it("reads repeated numerics both packed and unpacked", () => {
    const packed = bytesOf("0a07 5a05 0a03 0102 03");
    const unpacked = bytesOf("0a08 5a06 0801 0802 0803");
    expect(binaryCodec.decodeArgs(roundTrip, packed)[0]).toStrictEqual({ numbers: [1, 2, 3] });
    expect(binaryCodec.decodeArgs(roundTrip, unpacked)[0]).toStrictEqual({ numbers: [1, 2, 3] });
  });

  it("skips unknown fields of every wire type, at any depth", () => {
    // unknown 99 varint, 98 fixed64, 97 bytes, 96 fixed32 around a known n = 7
    const body = bytesOf(
      "98 06 05 | 91 06 0102030405060708 | 8a 06 02 aabb | 85 06 01020304 | 10 07".replace(/\|/g, ""),
    );
    expect(binaryCodec.decodeArgs(echo, body)).toStrictEqual([undefined, 7]);
    const nested = bytesOf("0a05 f801 01 1005"); // value { 31 (unknown): 1, tiny: 5 }
    expect(binaryCodec.decodeArgs(roundTrip, nested)[0]).toStrictEqual({ tiny: 5 });
  });

  it("round-trips the full sample through both codecs to the same value", () => {
    const value = fullEverything();
    const viaBinary = binaryCodec.decodeArgs(roundTrip, binaryCodec.encodeArgs(roundTrip, [value, 1]));
    const viaJson = jsonCodec.decodeArgs(roundTrip, jsonCodec.encodeArgs(roundTrip, [value, 1]));
    expect(viaBinary).toStrictEqual([value, 1]);
    expect(viaJson).toStrictEqual(viaBinary);
  });

  it("handles deep recursion of a recursive struct", () => {
    let root: { name: string; children?: unknown[] } = { name: "leaf" };
    for (let i = 0; i < 200; i++) root = { name: `n${i}`, children: [root] };
    expect(binaryCodec.decodeArgs(tree, binaryCodec.encodeArgs(tree, [root]))).toStrictEqual([root]);
  });
});

describe("binary codec: errors", () => {
  it("names the path of a wrong value on encode", () => {
    const error = rpcError(() => binaryCodec.encodeArgs(roundTrip, [{ nested: [new Map([["k", [1n, "x"]]])] }]));
    expect(error.code).toBe(Code.INVALID_ARGUMENT);
    expect(error.message).toMatch(/at value\.nested\[0\]\["k"\]\[1\]: expected i64/);
    expect(rpcError(() => binaryCodec.encodeArgs(roundTrip, [{ big: 1n << 63n }])).message).toMatch(
      /value\.big: expected i64/,
    );
    expect(rpcError(() => binaryCodec.encodeArgs(roundTrip, [{ bigNumber: 2 ** 60 }])).message).toMatch(/expected i64/);
    expect(rpcError(() => binaryCodec.encodeArgs(roundTrip, [{ blob: "abc" }])).message).toMatch(/expected binary/);
    expect(rpcError(() => binaryCodec.encodeArgs(roundTrip, ["not a struct"])).message).toMatch(
      /expected struct lab\.Everything/,
    );
  });

  it("refuses a string UTF-8 cannot carry instead of altering it", () => {
    expect(rpcError(() => binaryCodec.encodeArgs(echo, ["a\ud800b", 1])).message).toMatch(
      /at text: string holds a lone UTF-16 surrogate/,
    );
  });

  it("keeps the shared writer usable after a failed encode", () => {
    expect(() => binaryCodec.encodeArgs(roundTrip, [{ nested: [new Map([["k", ["bad"]]])] }])).toThrow(RpcError);
    expect(hex(binaryCodec.encodeArgs(echo, ["a", 1]))).toBe("0a0161" + "1001");
  });

  it("rejects a wire type that does not match the field", () => {
    const error = rpcError(() => binaryCodec.decodeArgs(echo, bytesOf("1203616263")));
    expect(error.code).toBe(Code.INVALID_ARGUMENT);
    expect(error.message).toMatch(/at n: wire type 2 where 0 was expected/);
  });

  it("checks required fields, ranges and enums on decode", () => {
    // value { origin { x: 1 } } without the required y
    expect(rpcError(() => binaryCodec.decodeArgs(roundTrip, bytesOf("0a04 7a02 0801"))).message).toMatch(
      /value\.origin\.y: required field is missing/,
    );
    // value { tiny: 300 }
    expect(rpcError(() => binaryCodec.decodeArgs(roundTrip, bytesOf("0a03 10ac02"))).message).toMatch(
      /value\.tiny: expected i8/,
    );
    // value { color: 3 }
    expect(rpcError(() => binaryCodec.decodeArgs(roundTrip, bytesOf("0a02 5003"))).message).toMatch(/enum lab\.Color/);
  });

  it("reports truncated and overlong input", () => {
    expect(rpcError(() => binaryCodec.decodeArgs(echo, bytesOf("0a05 6162"))).code).toBe(Code.INVALID_ARGUMENT);
    expect(rpcError(() => binaryCodec.decodeOutcome(echo, bytesOf("82ea30 05 61"))).code).toBe(Code.INTERNAL);
    expect(rpcError(() => binaryCodec.decodeArgs(roundTrip, bytesOf("0a02 28ff"))).message).toMatch(
      /varint|past the end/,
    );
  });

  it("rejects a reply with two outcomes or none for a non-void method", () => {
    expect(rpcError(() => binaryCodec.decodeOutcome(roundTrip, bytesOf("82ea30 00 0a00"))).message).toMatch(
      /2 outcomes/,
    );
    expect(rpcError(() => binaryCodec.decodeOutcome(echo, new Uint8Array(0))).message).toMatch(/neither a result/);
  });

  it("never throws anything but the documented RpcError on random bytes (property)", () => {
    const i64List = methodOf({ name: "a", kind: "struct", fields: [] }, t.map(t.string, t.list(t.i64)));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        for (const [method, codec] of [
          [roundTrip, binaryCodec],
          [i64List, binaryCodec],
          [roundTrip, jsonCodec],
        ] as const) {
          try {
            codec.decodeArgs(method, bytes);
          } catch (error) {
            expect(error).toBeInstanceOf(RpcError);
            expect((error as RpcError).code).toBe(Code.INVALID_ARGUMENT);
          }
          try {
            codec.decodeOutcome(method, bytes);
          } catch (error) {
            expect(error).toBeInstanceOf(RpcError);
            expect((error as RpcError).code).toBe(Code.INTERNAL);
          }
        }
      }),
      { numRuns: 3000 },
    );
  });
});
