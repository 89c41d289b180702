import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type MethodDescriptor } from "@rpcgen/runtime";
import { binaryCodec } from "@rpcgen/runtime/internal/codec/binary-codec.js";
import { NotFound, echo, fullEverything, ping, roundTrip, tree } from "./fixtures/lab-descriptors.js";

// The binary codec's bytes must be exactly what lab.proto describes: protoc reads
// what the codec writes, and the codec reads what protoc writes.
const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));

function protoc(mode: "decode" | "encode", message: string, input: Uint8Array | string): Buffer {
  const run = spawnSync("protoc", ["-I", fixtures, `--${mode}=lab.${message}`, "lab.proto"], {
    cwd: fixtures,
    input,
    timeout: 20_000,
  });
  if (run.status !== 0) throw new Error(`protoc --${mode} failed: ${run.stderr.toString()}`);
  return run.stdout;
}

const decodeText = (message: string, body: Uint8Array) => protoc("decode", message, body).toString("utf8");

function viaProtoc(method: MethodDescriptor, kind: "args" | "result", body: Uint8Array): Uint8Array {
  const message = `Lab_${method.name}_${kind}`;
  return protoc("encode", message, decodeText(message, body));
}

describe("binary codec against protoc", () => {
  it("writes args protoc decodes field by field", () => {
    const body = binaryCodec.encodeArgs(roundTrip, [fullEverything(), 42]);
    const text = decodeText("Lab_roundTrip_args", body);
    for (const line of [
      "flag: false",
      "tiny: -128",
      "small: 32767",
      "medium: -2147483648",
      "big: -9223372036854775808",
      "ratio: -0",
      'id: "123e4567-e89b-12d3-a456-426614174000"',
      "color: 7",
      "items: 2147483647",
      "bigNumber: 9007199254740991",
      "asString: -9223372036854775808",
      "far: 9007199254740993",
      'negative: "minus one"',
      "items: 9223372036854775807",
      "items: nan",
      "items: -inf",
      'label: ""',
      "n: 42",
    ]) {
      expect(text).toContain(line);
    }
    // Struct keys of a map come out as messages.
    expect(text).toMatch(/entries \{\s*key \{\s*x: 1\s*y: 2\s*\}\s*value: "one-two"/);
    // Nothing unknown to the .proto: protoc prints unknown fields as bare numbers.
    expect(text).not.toMatch(/^\s*\d+:/m);
  });

  it("reads back, unchanged, what protoc re-encodes from its own decoding", () => {
    const value = fullEverything();
    const body = binaryCodec.encodeArgs(roundTrip, [value, 42]);
    expect(binaryCodec.decodeArgs(roundTrip, viaProtoc(roundTrip, "args", body))).toStrictEqual([value, 42]);
  });

  it("decodes args that protoc encodes from text, with proto3 zero values for omitted map keys", () => {
    const body = protoc(
      "encode",
      "Lab_roundTrip_args",
      `value {
         big: 9223372036854775807
         origin { x: 0 y: 0 }
         numbers { items: [1, -2, 3] }
         byId { entries { value { x: 1 y: 1 } } }
         shape { radius: 2.5 }
         nested { items { entries { key: "z" } } }
       }
       n: -1`,
    );
    const [value, n] = binaryCodec.decodeArgs(roundTrip, body);
    expect(n).toBe(-1);
    expect(value).toStrictEqual({
      big: (1n << 63n) - 1n,
      origin: { x: 0, y: 0 },
      numbers: [1, -2, 3],
      byId: new Map([[0n, { x: 1, y: 1 }]]),
      shape: { radius: 2.5 },
      nested: [new Map([["z", []]])],
    });
  });

  it("keeps optional presence: an absent field stays absent, a zero field stays zero", () => {
    const body = binaryCodec.encodeArgs(roundTrip, [{ flag: false, medium: 0, text: "" }, undefined]);
    const text = decodeText("Lab_roundTrip_args", body);
    expect(text).toContain("flag: false");
    expect(text).toContain("medium: 0");
    expect(text).toContain('text: ""');
    expect(text).not.toContain("n:");
    expect(binaryCodec.decodeArgs(roundTrip, body)).toStrictEqual([{ flag: false, medium: 0, text: "" }, undefined]);
  });

  it("puts the success value at 100000 and a declared exception at its id", () => {
    const success = binaryCodec.encodeOutcome(echo, { fieldId: 0, value: "hi" });
    expect(decodeText("Lab_echo_result", success).trim()).toBe('success: "hi"');

    const failure = binaryCodec.encodeOutcome(roundTrip, {
      fieldId: 1,
      value: new NotFound({ what: "gone", code: 404 }),
    });
    expect(decodeText("Lab_roundTrip_result", failure)).toMatch(/notFound \{\s*what: "gone"\s*code: 404\s*\}/);
    const outcome = binaryCodec.decodeOutcome(roundTrip, viaProtoc(roundTrip, "result", failure));
    expect(outcome.fieldId).toBe(1);
    expect(outcome.value).toBeInstanceOf(NotFound);
    expect(outcome.value).toMatchObject({ what: "gone", code: 404 });
  });

  it("writes an empty body for void, and protoc's empty result decodes as void success", () => {
    expect(binaryCodec.encodeArgs(ping, [])).toHaveLength(0);
    expect(binaryCodec.encodeOutcome(ping, { fieldId: 0, value: undefined })).toHaveLength(0);
    expect(binaryCodec.encodeOutcome(ping, { fieldId: 0, value: "a void handler's stray return value" })).toHaveLength(
      0,
    );
    expect(binaryCodec.decodeOutcome(ping, protoc("encode", "Lab_ping_result", ""))).toEqual({
      fieldId: 0,
      value: undefined,
    });
  });

  it("handles recursive structs as protoc does", () => {
    const root = { name: "a", children: [{ name: "b", children: [] }, { name: "c" }] };
    const body = binaryCodec.encodeArgs(tree, [root]);
    expect(decodeText("Lab_tree_args", body)).toMatch(/children \{\s*items \{\s*name: "b"\s*children \{\s*\}/);
    expect(binaryCodec.decodeArgs(tree, viaProtoc(tree, "args", body))).toStrictEqual([root]);
  });
});
