import { describe, expect, it } from "vitest";
import { Code, RpcError, type FrameLimits } from "@rpcgen/runtime";
import { CodecId, FrameKind, type Frame } from "@rpcgen/runtime/internal/wire/frame.js";
import { FrameDecoder } from "@rpcgen/runtime/internal/wire/frame-decoder.js";
import { binaryCodec } from "@rpcgen/runtime/internal/codec/binary-codec.js";
import { encodeFrame, encodeFrameParts } from "@rpcgen/runtime/internal/wire/frame-encoder.js";
import { argsBody, hasDeferredBodies } from "@rpcgen/runtime/internal/wire/deferred-body.js";
import { jsonCodec } from "@rpcgen/runtime/internal/codec/json-codec.js";
import { echo } from "../codec/fixtures/lab-descriptors.js";
import { comparable } from "./frame-samples.js";

function decodeOne(bytes: Buffer, limits: FrameLimits): Frame {
  const frames: Frame[] = [];
  new FrameDecoder((frame) => frames.push(comparable(frame)), limits).push(bytes);
  expect(frames).toHaveLength(1);
  return frames[0]!;
}

const limits: FrameLimits = { maxFrameBytes: 64 * 1024, compressThresholdBytes: 32 * 1024 };

/** The same call frame through the Frame path and through the deferred path. */
function bothWays(args: unknown[], frameLimits: FrameLimits): { plain: Buffer; deferred: Buffer } {
  const metadata = { tenant: "t-1" };
  const plain = encodeFrame(
    {
      kind: FrameKind.Call,
      requestId: 7,
      method: echo.fullName,
      codec: CodecId.Binary,
      flags: 0,
      deadlineMs: 250,
      metadata,
      body: binaryCodec.encodeArgs(echo, args),
    },
    frameLimits,
  );
  const body = binaryCodec.encodeArgsDeferred(echo, args);
  const deferred = encodeFrameParts(FrameKind.Call, 7, echo.fullName, CodecId.Binary, 250, metadata, body, frameLimits);
  return { plain, deferred };
}

describe("encodeFrameParts", () => {
  it("writes the same bytes as encodeFrame with the body the codec would return", () => {
    const { plain, deferred } = bothWays(["héllo", 42], limits);
    expect(deferred.equals(plain)).toBe(true);
    const frame = decodeOne(deferred, limits);
    expect(binaryCodec.decodeArgs(echo, frame.body)).toEqual(["héllo", 42]);
  });

  it("gzips a body over the threshold, as encodeFrame does", () => {
    const text = "abc".repeat(20_000);
    const { plain, deferred } = bothWays([text, 1], limits);
    expect(deferred.equals(plain)).toBe(true);
    expect(deferred.length).toBeLessThan(text.length);
    expect(binaryCodec.decodeArgs(echo, decodeOne(deferred, limits).body)).toEqual([text, 1]);
  });

  it("refuses a frame over the maximum with RESOURCE_EXHAUSTED, and the next body encodes cleanly", () => {
    const small: FrameLimits = { maxFrameBytes: 100, compressThresholdBytes: 1000 };
    const body = binaryCodec.encodeArgsDeferred(echo, ["x".repeat(200), 1]);
    let caught: unknown;
    try {
      encodeFrameParts(FrameKind.Call, 1, echo.fullName, CodecId.Binary, 0, undefined, body, small);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(RpcError);
    expect((caught as RpcError).code).toBe(Code.RESOURCE_EXHAUSTED);
    expect((caught as RpcError).message).toContain(`message for ${echo.fullName} refused`);

    const { plain, deferred } = bothWays(["after", 2], limits);
    expect(deferred.equals(plain)).toBe(true);
  });

  it("keeps bodies apart when a second one is encoded before the first is copied", () => {
    const first = binaryCodec.encodeArgsDeferred(echo, ["first", 1]);
    const second = binaryCodec.encodeArgsDeferred(echo, ["second", 2]);
    const secondFrame = encodeFrameParts(FrameKind.Call, 2, echo.fullName, CodecId.Binary, 0, undefined, second);
    const firstFrame = encodeFrameParts(FrameKind.Call, 1, echo.fullName, CodecId.Binary, 0, undefined, first);
    expect(binaryCodec.decodeArgs(echo, decodeOne(firstFrame, limits).body)).toEqual(["first", 1]);
    expect(binaryCodec.decodeArgs(echo, decodeOne(secondFrame, limits).body)).toEqual(["second", 2]);
  });

  it("refuses to copy a body out twice, as its scratch space may hold another body by then", () => {
    const body = binaryCodec.encodeOutcomeDeferred(echo, { fieldId: 0, value: "once" });
    const target = Buffer.alloc(body.byteLength);
    body.copyTo(target, 0);
    expect(binaryCodec.decodeOutcome(echo, target)).toEqual({ fieldId: 0, value: "once" });
    expect(() => body.copyTo(Buffer.alloc(body.byteLength), 0)).toThrow(/copied out twice/);
  });

  it("reports encoding errors like encodeArgs and encodeOutcome", () => {
    expect(() => binaryCodec.encodeArgsDeferred(echo, [5, 1])).toThrow(
      expect.objectContaining({ message: binaryErrorOf(() => binaryCodec.encodeArgs(echo, [5, 1])) }),
    );
    expect(() => binaryCodec.encodeOutcomeDeferred(echo, { fieldId: 0, value: undefined })).toThrow(
      expect.objectContaining({
        message: binaryErrorOf(() => binaryCodec.encodeOutcome(echo, { fieldId: 0, value: undefined })),
      }),
    );
  });

  it("is offered by the binary codec only", () => {
    expect(hasDeferredBodies(binaryCodec)).toBe(true);
    expect(hasDeferredBodies(jsonCodec)).toBe(false);
  });

  it("takes a body of its own bytes too, as the JSON codec gives it", () => {
    const args = ["héllo", 42];
    const fromBytes = encodeFrameParts(FrameKind.Call, 7, echo.fullName, CodecId.Json, 250, undefined, jsonCodec.encodeArgs(echo, args), limits);
    const body = argsBody(jsonCodec, echo, args);
    expect(body).toBeInstanceOf(Uint8Array);
    const viaArgsBody = encodeFrameParts(FrameKind.Call, 7, echo.fullName, CodecId.Json, 250, undefined, body, limits);
    expect(viaArgsBody.equals(fromBytes)).toBe(true);
    expect(jsonCodec.decodeArgs(echo, decodeOne(fromBytes, limits).body)).toEqual(args);
  });
});

function binaryErrorOf(encode: () => unknown): string {
  try {
    encode();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error("expected the encode to fail");
}
