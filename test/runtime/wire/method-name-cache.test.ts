import { describe, expect, it } from "vitest";
import { CodecId, FrameKind, type Frame } from "@rpcgen/runtime/internal/wire/frame.js";
import { FrameDecoder } from "@rpcgen/runtime/internal/wire/frame-decoder.js";
import { encodeFrame } from "@rpcgen/runtime/internal/wire/frame-encoder.js";
import { frameOf } from "./frame-samples.js";

function methodsOf(bytes: Buffer): string[] {
  const methods: string[] = [];
  new FrameDecoder((frame: Frame) => methods.push(frame.method)).push(bytes);
  return methods;
}

function callFrame(method: string): Buffer {
  return encodeFrame(frameOf({ kind: FrameKind.Call, method, codec: CodecId.Binary }));
}

describe("method names of decoded frames", () => {
  it("are decoded exactly when names of the same length alternate", () => {
    const names = ["S.a", "S.b", "T.a", "S.a", "S.b", "T.a", "é.x", "S.a"];
    expect(methodsOf(Buffer.concat(names.map(callFrame)))).toEqual(names);
  });

  it("stay right past the cache's capacity, long names and bad UTF-8 included", () => {
    const names = Array.from({ length: 1500 }, (_, i) => `Service${i % 700}.method${i}`);
    names.push(`Long.${"x".repeat(300)}`, `Long.${"x".repeat(300)}`);
    expect(methodsOf(Buffer.concat(names.map(callFrame)))).toEqual(names);

    // A lone continuation byte decodes to U+FFFD, cached or not.
    const bad = Buffer.from(callFrame("S.zz"));
    bad[bad.indexOf("S.zz") + 3] = 0x80;
    expect(methodsOf(Buffer.concat([bad, bad]))).toEqual(["S.z\uFFFD", "S.z\uFFFD"]);
  });

  it("stay right when the chunk a name was first read from is overwritten", () => {
    const chunk = Buffer.from(callFrame("Echo.echo"));
    expect(methodsOf(chunk)).toEqual(["Echo.echo"]);
    chunk.fill(0x41, chunk.indexOf("Echo.echo"), chunk.indexOf("Echo.echo") + 9);
    expect(methodsOf(chunk)).toEqual(["AAAAAAAAA"]);
    expect(methodsOf(callFrame("Echo.echo"))).toEqual(["Echo.echo"]);
  });
});
