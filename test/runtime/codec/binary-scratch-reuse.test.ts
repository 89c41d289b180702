import { describe, expect, it } from "vitest";
import { Code, RpcError } from "@rpcgen/runtime";
import { binaryCodec } from "@rpcgen/runtime/internal/codec/binary-codec.js";
import { echo, tree } from "./fixtures/lab-descriptors.js";

/** The codec reuses one writer and one reader across calls; these check that reuse never mixes calls up. */
describe("binary codec: reused scratch writer and reader", () => {
  it("encodes correctly inside an encode (a getter that encodes)", () => {
    let inner: Uint8Array | undefined;
    const root = {
      get name(): string {
        inner = binaryCodec.encodeArgs(echo, ["inner", 7]);
        return "outer";
      },
      children: [],
    };
    const outer = binaryCodec.encodeArgs(tree, [root]);
    expect(binaryCodec.decodeArgs(echo, inner!)).toEqual(["inner", 7]);
    expect(binaryCodec.decodeArgs(tree, outer)).toEqual([{ name: "outer", children: [] }]);
  });

  it("recovers from a failed encode and a failed decode", () => {
    expect(() => binaryCodec.encodeArgs(tree, [{ name: "a", children: [{ name: 5 }] }])).toThrow(RpcError);
    expect(binaryCodec.decodeArgs(echo, binaryCodec.encodeArgs(echo, ["after encode error", 1]))).toEqual([
      "after encode error",
      1,
    ]);

    const truncated = binaryCodec.encodeArgs(echo, ["truncated", 2]).subarray(0, 5);
    let caught: unknown;
    try {
      binaryCodec.decodeArgs(echo, truncated);
    } catch (error) {
      caught = error;
    }
    expect((caught as RpcError).code).toBe(Code.INVALID_ARGUMENT);
    expect(binaryCodec.decodeArgs(echo, binaryCodec.encodeArgs(echo, ["after decode error", 3]))).toEqual([
      "after decode error",
      3,
    ]);
  });

  it("decodes bodies that are plain Uint8Arrays and views into a larger buffer", () => {
    const body = binaryCodec.encodeArgs(echo, ["view", 4]);
    const larger = Buffer.concat([Buffer.from([1, 2, 3]), body, Buffer.from([9])]);
    const view = new Uint8Array(larger.buffer, larger.byteOffset + 3, body.length);
    expect(binaryCodec.decodeArgs(echo, view)).toEqual(["view", 4]);
    expect(binaryCodec.decodeArgs(echo, Uint8Array.from(body))).toEqual(["view", 4]);
    expect(binaryCodec.decodeOutcome(echo, binaryCodec.encodeOutcome(echo, { fieldId: 0, value: "r" }))).toEqual({
      fieldId: 0,
      value: "r",
    });
  });
});
