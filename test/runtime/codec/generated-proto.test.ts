import { spawnSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MethodDescriptor } from "@rpcgen/runtime";
import { binaryCodec } from "@rpcgen/runtime/internal/codec/binary-codec.js";
import { jsonCodec } from "@rpcgen/runtime/internal/codec/json-codec.js";
import { fixturesDir, generateFrom, scratchDir, writeGenerated } from "../../generator/support/generated-dir.js";

// The codec against what the generator really emits: descriptors and .proto
// generated from the generator's own "everything" fixture must agree byte for
// byte, as protoc sees it.
type Module = Record<string, any>;

const scratch = scratchDir("codec-proto");
let everything: Module;
let methods: Record<string, MethodDescriptor>;

beforeAll(async () => {
  writeGenerated(scratch.dir, await generateFrom([path.join(fixturesDir, "everything.thrift")]));
  everything = await import(path.join(scratch.dir, "everything.ts"));
  methods = everything["CalculatorService"].methods;
}, 120_000);

afterAll(() => scratch.dispose());

function protoc(mode: "decode" | "encode", message: string, input: Uint8Array | string): Buffer {
  const run = spawnSync("protoc", ["-I", scratch.dir, `--${mode}=everything.${message}`, "everything.proto"], {
    cwd: scratch.dir,
    input,
    timeout: 20_000,
  });
  if (run.status !== 0) throw new Error(`protoc --${mode} failed: ${run.stderr.toString()}`);
  return run.stdout;
}

function sampleWork(): Record<string, unknown> {
  return {
    num1: 0,
    num2: -7,
    op: 10,
    comment: "ünïcode",
    createdAt: 1_700_000_000_000,
    exact: "-9223372036854775808",
    samples: [9223372036854775807n, 0n, -1n],
    seen: new Set([1, -3]),
    groups: new Map([["g", [{ key: 1, value: "v" }, { key: 2 }]]]),
    payload: Buffer.from([0, 255]),
    requestId: "00112233-4455-6677-8899-aabbccddeeff",
    at: 5n,
    counters: new Map([["hits", 0n]]),
    flag: false,
    farAway: -0,
  };
}

describe("binary codec against the generated .proto", () => {
  it("writes calculate args that protoc decodes with the generated message", () => {
    const method = methods["calculate"]!;
    const body = binaryCodec.encodeArgs(method, [42, sampleWork()]);
    const text = protoc("decode", "Calculator_calculate_args", body).toString("utf8");
    for (const line of ["logid: 42", "num1: 0", "num2: -7", "op: 10", "exact: -9223372036854775808", "farAway: -0"]) {
      expect(text).toContain(line);
    }
    expect(text).toContain("items: 9223372036854775807");
    expect(text).not.toMatch(/^\s*\d+:/m);
    const back = protoc("encode", "Calculator_calculate_args", text);
    expect(binaryCodec.decodeArgs(method, back)).toStrictEqual([42, sampleWork()]);
  });

  it("carries a union and a recursive struct through protoc", () => {
    const echo = methods["echo"]!;
    const value = { items: [{ text: "a" }, { number: -(1n << 63n) }, { items: [] }] };
    const body = binaryCodec.encodeArgs(echo, [value]);
    const back = protoc("encode", "Calculator_echo_args", protoc("decode", "Calculator_echo_args", body).toString());
    expect(binaryCodec.decodeArgs(echo, back)).toStrictEqual([value]);
  });

  it("rebuilds a declared exception from a result protoc wrote", () => {
    const method = methods["calculate"]!;
    const body = protoc("encode", "Calculator_calculate_result", 'ouch { message: "no" dividend: 3 }');
    const outcome = binaryCodec.decodeOutcome(method, body);
    expect(outcome.fieldId).toBe(1);
    expect(outcome.value).toBeInstanceOf(everything["DivideByZero"]);
    expect(outcome.value).toMatchObject({ dividend: 3 });
    const success = binaryCodec.encodeOutcome(method, { fieldId: 0, value: -5n });
    expect(protoc("decode", "Calculator_calculate_result", success).toString().trim()).toBe("success: -5");
  });
});

describe("json codec with generated descriptors", () => {
  it("round-trips the same sample and a declared exception", () => {
    const method = methods["calculate"]!;
    expect(jsonCodec.decodeArgs(method, jsonCodec.encodeArgs(method, [42, sampleWork()]))).toStrictEqual([
      42,
      sampleWork(),
    ]);
    const DivideByZero = everything["DivideByZero"];
    const body = jsonCodec.encodeOutcome(method, {
      fieldId: 1,
      value: new DivideByZero({ message: "no", dividend: 3 }),
    });
    expect(JSON.parse(Buffer.from(body).toString())).toEqual({ ouch: { message: "no", dividend: 3, op: 11 } });
    expect(jsonCodec.decodeOutcome(method, body).value).toBeInstanceOf(DivideByZero);
  });
});
