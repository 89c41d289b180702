import { describe, expect, it } from "vitest";
import { CodecId, FrameKind, type Frame } from "@rpcgen/runtime/internal/wire/frame.js";
import { FrameDecoder, FrameError } from "@rpcgen/runtime/internal/wire/frame-decoder.js";
import { encodeFrame } from "@rpcgen/runtime/internal/wire/frame-encoder.js";
import { comparable, frameOf } from "./frame-samples.js";

const cancel = frameOf({ kind: FrameKind.Cancel, requestId: 0x0a0b0c0d, method: "", codec: CodecId.Json });

function decodeAll(bytes: Buffer): Frame[] {
  const frames: Frame[] = [];
  new FrameDecoder((frame) => frames.push(comparable(frame))).push(bytes);
  return frames;
}

describe("the cancel frame kind", () => {
  it("is kind 8", () => {
    expect(FrameKind.Cancel).toBe(8);
  });

  it("encodes as a bare 21-byte header naming the call's request id", () => {
    const expected = [
      [0xb5, 1], // magic, version
      [0, 0, 0, 15], // length of the rest
      [8, 1, 0], // kind cancel, codec JSON, flags
      [0x0a, 0x0b, 0x0c, 0x0d], // request id
      [0, 0, 0, 0], // no deadline
      [0, 0, 0, 0], // no method, no metadata
    ];
    expect([...encodeFrame(cancel)]).toEqual(expected.flat());
  });

  it("round-trips through the decoder, between a call and a ping", () => {
    const frames = [frameOf({ requestId: 0x0a0b0c0d }), cancel, frameOf({ kind: FrameKind.Ping, method: "" })];
    expect(decodeAll(Buffer.concat(frames.map((frame) => encodeFrame(frame))))).toEqual(frames.map(comparable));
  });

  it("still refuses the kind after it on both sides", () => {
    expect(() => encodeFrame(frameOf({ kind: 9 as FrameKind }))).toThrow(/unknown frame kind 9/);
    const bytes = encodeFrame(cancel);
    bytes[6] = 9;
    let caught: unknown;
    try {
      decodeAll(bytes);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(FrameError);
    expect((caught as FrameError).message).toMatch(/unknown frame kind 9/);
  });
});
