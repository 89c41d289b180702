import { randomBytes } from "node:crypto";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { Code, RpcError, defaultFrameLimits } from "@rpcgen/runtime";
import { CodecId, FrameFlags, FrameKind, type Frame } from "@rpcgen/runtime/internal/wire/frame.js";
import { FrameDecoder } from "@rpcgen/runtime/internal/wire/frame-decoder.js";
import { encodeFrame } from "@rpcgen/runtime/internal/wire/frame-encoder.js";
import { comparable, frameOf } from "./frame-samples.js";

function decodeAll(bytes: Buffer, limits = defaultFrameLimits): Frame[] {
  const frames: Frame[] = [];
  new FrameDecoder((frame) => frames.push(comparable(frame)), limits).push(bytes);
  return frames;
}

describe("encodeFrame", () => {
  it("writes the documented layout", () => {
    const bytes = encodeFrame(
      frameOf({
        kind: FrameKind.Call,
        requestId: 0x01020304,
        method: "S.m",
        codec: CodecId.Json,
        deadlineMs: 1500,
        metadata: { k: "vé" },
        body: Uint8Array.of(9, 8),
      }),
    );
    const expected = [
      [0xb5, 1], // magic, version
      [0, 0, 0, 30], // length of the rest
      [1, 1, 0], // kind, codec, flags
      [1, 2, 3, 4], // request id
      [0, 0, 0x05, 0xdc], // deadline
      [0, 3, 0, 1], // method length, metadata count
      [0x53, 0x2e, 0x6d], // "S.m"
      [0, 1, 0x6b, 0, 0, 0, 3, 0x76, 0xc3, 0xa9], // "k" => "vé"
      [9, 8], // body
    ];
    expect([...bytes]).toEqual(expected.flat());
  });

  it("starts every frame with a byte that is neither a RESP type byte nor an ASCII letter", () => {
    const first = encodeFrame(frameOf())[0]!;
    expect("*$+-:_,#!=%~>(|".includes(String.fromCharCode(first))).toBe(false);
    expect(first).toBeGreaterThan(0x7f);
  });

  it("round-trips through the decoder, unicode, metadata and empty fields included", () => {
    const frames = [
      frameOf({ method: "Ünïcode.方法", metadata: { "trace-id": "abc", empty: "", ключ: "значение" } }),
      frameOf({ kind: FrameKind.Ping, method: "", requestId: 0xffffffff, body: Uint8Array.of(1) }),
      frameOf({ kind: FrameKind.Goaway, method: "", deadlineMs: 0 }),
    ];
    expect(decodeAll(Buffer.concat(frames.map((f) => encodeFrame(f))))).toEqual(frames.map(comparable));
  });

  it("keeps a metadata key named __proto__ as a plain entry", () => {
    const metadata = JSON.parse('{"__proto__": "x", "a": "b"}') as Record<string, string>;
    const [decoded] = decodeAll(encodeFrame(frameOf({ metadata })));
    expect(Object.getPrototypeOf(decoded!.metadata)).toBe(Object.prototype);
    expect(Object.entries(decoded!.metadata!)).toEqual([
      ["__proto__", "x"],
      ["a", "b"],
    ]);
  });

  it("gzips a body over the threshold and the decoder gunzips it", () => {
    const limits = { maxFrameBytes: 1 << 20, compressThresholdBytes: 100 };
    const body = Buffer.alloc(10_000, "abc");
    const bytes = encodeFrame(frameOf({ body }), limits);
    expect(bytes.length).toBeLessThan(1000);
    expect(bytes[8]! & FrameFlags.Gzip).toBe(FrameFlags.Gzip);
    expect(gunzipSync(bytes.subarray(21 + "Calculator.add".length))).toEqual(body);
    const [decoded] = decodeAll(bytes, limits);
    expect(Buffer.from(decoded!.body)).toEqual(body);
    expect(decoded!.flags & FrameFlags.Gzip).toBe(0);
  });

  it("leaves a body at the threshold uncompressed", () => {
    const limits = { maxFrameBytes: 1 << 20, compressThresholdBytes: 100 };
    expect(encodeFrame(frameOf({ body: new Uint8Array(100) }), limits)[8]).toBe(0);
  });

  it("refuses a frame still over the maximum after gzip, naming the method and the size", () => {
    const limits = { maxFrameBytes: 1000, compressThresholdBytes: 500 };
    const random = randomBytes(5000); // incompressible
    const attempt = () => encodeFrame(frameOf({ method: "Files.upload", body: random }), limits);
    expect(attempt).toThrow(RpcError);
    try {
      attempt();
    } catch (error) {
      expect((error as RpcError).code).toBe(Code.RESOURCE_EXHAUSTED);
      expect((error as RpcError).message).toMatch(
        /Files\.upload.* \d+ bytes after gzip, over the maximum of 1000 bytes/,
      );
    }
  });

  it("refuses an uncompressed frame over the maximum", () => {
    const limits = { maxFrameBytes: 100, compressThresholdBytes: 1000 };
    expect(() => encodeFrame(frameOf({ body: new Uint8Array(90) }), limits)).toThrow(
      /Calculator\.add refused: it is 125 bytes, over the maximum of 100 bytes/,
    );
  });

  it("refuses a body that would inflate past the receiver's limit", () => {
    const limits = { maxFrameBytes: 1000, compressThresholdBytes: 10, maxInflatedBodyBytes: 5000 };
    expect(() => encodeFrame(frameOf({ body: new Uint8Array(6000) }), limits)).toThrow(
      /6000 bytes is over the limit of 5000/,
    );
  });

  it("rounds a fractional deadline up and caps a huge one", () => {
    const [a, b] = decodeAll(
      Buffer.concat([encodeFrame(frameOf({ deadlineMs: 0.2 })), encodeFrame(frameOf({ deadlineMs: 2 ** 40 }))]),
    );
    expect(a!.deadlineMs).toBe(1);
    expect(b!.deadlineMs).toBe(0xffffffff);
  });

  it("rejects header values that do not fit", () => {
    expect(() => encodeFrame(frameOf({ requestId: -1 }))).toThrow(RangeError);
    expect(() => encodeFrame(frameOf({ requestId: 2 ** 32 }))).toThrow(RangeError);
    expect(() => encodeFrame(frameOf({ deadlineMs: -5 }))).toThrow(RangeError);
    expect(() => encodeFrame(frameOf({ method: "x".repeat(70_000) }))).toThrow(/over 65535/);
    expect(() => encodeFrame(frameOf({ metadata: { a: 1 as unknown as string } }))).toThrow(/not a string/);
    expect(() => encodeFrame(frameOf({ kind: 0 as FrameKind }))).toThrow(/unknown frame kind 0/);
    expect(() => encodeFrame(frameOf({ codec: 3 as CodecId }))).toThrow(/unknown codec id 3/);
    expect(() => encodeFrame(frameOf({ flags: 0x10 }))).toThrow(/unknown flag bits 0x10/);
  });
});
