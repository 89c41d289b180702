import { gunzipSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { defaultFrameLimits, type FrameLimits } from "@rpcgen/runtime";
import { CodecId, FrameFlags, FrameKind, type Frame } from "@rpcgen/runtime/internal/wire/frame.js";
import { FrameDecoder, FrameError } from "@rpcgen/runtime/internal/wire/frame-decoder.js";
import { encodeFrame } from "@rpcgen/runtime/internal/wire/frame-encoder.js";
import { comparable, frameOf } from "./frame-samples.js";

const smallLimits: FrameLimits = { maxFrameBytes: 64 * 1024, compressThresholdBytes: 200 };

function collector(limits?: FrameLimits) {
  const frames: Frame[] = [];
  const decoder = new FrameDecoder((frame) => frames.push(comparable(frame)), limits);
  return { frames, decoder };
}

function frameError(action: () => void): FrameError {
  try {
    action();
  } catch (error) {
    if (error instanceof FrameError) return error;
    throw error;
  }
  throw new Error("expected a FrameError");
}

const sampleFrames: Frame[] = [
  frameOf({ requestId: 1, metadata: { a: "1" }, body: Uint8Array.of(1, 2, 3) }),
  frameOf({ kind: FrameKind.Reply, requestId: 2, method: "", body: new Uint8Array(0) }),
  frameOf({ kind: FrameKind.Error, requestId: 3, method: "", body: Buffer.from('{"code":"INTERNAL","message":"x"}') }),
  frameOf({ requestId: 4, body: Buffer.alloc(1000, "z") }), // gzipped under smallLimits
  frameOf({ kind: FrameKind.Ping, requestId: 5, method: "" }),
];

describe("FrameDecoder", () => {
  it("decodes a stream split at every byte boundary into the same frames", () => {
    const stream = Buffer.concat(sampleFrames.map((f) => encodeFrame(f, smallLimits)));
    const expected = sampleFrames.map(comparable);
    for (let cut = 0; cut <= stream.length; cut++) {
      const { frames, decoder } = collector(smallLimits);
      decoder.push(stream.subarray(0, cut));
      decoder.push(stream.subarray(cut));
      expect(frames).toEqual(expected);
      expect(decoder.bufferedBytes).toBe(0);
    }
  });

  it("decodes a stream fed one byte at a time", () => {
    const stream = Buffer.concat(sampleFrames.map((f) => encodeFrame(f, smallLimits)));
    const { frames, decoder } = collector(smallLimits);
    for (let i = 0; i < stream.length; i++) {
      decoder.push(stream.subarray(i, i + 1));
      expect(decoder.bufferedBytes).toBeLessThan(stream.length);
    }
    expect(frames).toEqual(sampleFrames.map(comparable));
  });

  it("decodes random frames under random chunking (property)", () => {
    const frameArb = fc.record({
      kind: fc.constantFrom(...Object.values(FrameKind)),
      requestId: fc.nat({ max: 0xffffffff }),
      method: fc.string({ maxLength: 30 }).filter((s) => !/[\ud800-\udfff]/.test(s)),
      codec: fc.constantFrom(CodecId.Json, CodecId.Binary),
      flags: fc.constant(0),
      deadlineMs: fc.nat({ max: 0xffffffff }),
      metadata: fc.option(fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { minKeys: 1 }), {
        nil: undefined,
      }),
      body: fc.uint8Array({ maxLength: 600 }),
    });
    fc.assert(
      fc.property(fc.array(frameArb, { maxLength: 6 }), fc.array(fc.nat(), { maxLength: 10 }), (input, cuts) => {
        const stream = Buffer.concat(input.map((f) => encodeFrame(f, smallLimits)));
        const points = [...new Set(cuts.map((c) => (stream.length === 0 ? 0 : c % stream.length)))].sort(
          (a, b) => a - b,
        );
        const { frames, decoder } = collector(smallLimits);
        let last = 0;
        for (const point of [...points, stream.length]) {
          decoder.push(stream.subarray(last, point));
          last = point;
        }
        expect(frames).toEqual(input.map(comparable));
        expect(decoder.bufferedBytes).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it("hands out a frame wholly inside one chunk as a view of that chunk", () => {
    const chunk = Buffer.concat([encodeFrame(frameOf({ body: Uint8Array.of(7, 7) })), encodeFrame(frameOf())]);
    const bodies: Uint8Array[] = [];
    new FrameDecoder((frame) => bodies.push(frame.body)).push(chunk);
    expect(bodies).toHaveLength(2);
    expect(bodies[0]!.buffer).toBe(chunk.buffer);
  });

  it("keeps a partial frame without emitting anything and reports the buffered bytes", () => {
    const bytes = encodeFrame(frameOf({ body: new Uint8Array(100) }));
    const { frames, decoder } = collector();
    decoder.push(bytes.subarray(0, 50));
    decoder.push(bytes.subarray(50, 60));
    expect(frames).toEqual([]);
    expect(decoder.bufferedBytes).toBe(60);
    decoder.push(bytes.subarray(60));
    expect(frames).toHaveLength(1);
    expect(decoder.bufferedBytes).toBe(0);
  });

  it("refuses a declared length over the maximum as soon as the prefix arrives", () => {
    const { frames, decoder } = collector({ maxFrameBytes: 1024, compressThresholdBytes: 512 });
    const prefix = Buffer.from([0xb5, 1, 0x7f, 0xff, 0xff, 0xff]);
    const error = frameError(() => decoder.push(prefix));
    expect(error.reason).toBe("too-large");
    expect(error.message).toMatch(/2147483653 bytes declared, over the maximum of 1024/);
    expect(frames).toEqual([]);
  });

  it("checks the declared length even when the prefix is split", () => {
    const { decoder } = collector({ maxFrameBytes: 1024, compressThresholdBytes: 512 });
    decoder.push(Buffer.from([0xb5, 1, 0]));
    expect(frameError(() => decoder.push(Buffer.from([0x10, 0, 0]))).reason).toBe("too-large");
  });

  it("rejects a wrong magic byte on the first byte, e.g. a RESP command", () => {
    const { decoder } = collector();
    expect(frameError(() => decoder.push(Buffer.from("*"))).message).toMatch(/magic byte 0xb5 \(got 0x2a\)/);
  });

  it("rejects an unknown version, kind, codec or flag", () => {
    const good = encodeFrame(frameOf());
    const patched = (offset: number, value: number) => {
      const copy = Buffer.from(good);
      copy[offset] = value;
      return copy;
    };
    expect(frameError(() => collector().decoder.push(patched(1, 2))).message).toMatch(/version 2/);
    expect(frameError(() => collector().decoder.push(patched(6, 9))).message).toMatch(/kind 9/);
    expect(frameError(() => collector().decoder.push(patched(7, 0))).message).toMatch(/codec id 0/);
    expect(frameError(() => collector().decoder.push(patched(8, 0x80))).message).toMatch(/flag bits 0x80/);
  });

  it("rejects a frame whose method or metadata runs past its length", () => {
    const bytes = encodeFrame(frameOf({ method: "abc", metadata: { k: "v" } }));
    const shortMethod = Buffer.from(bytes);
    shortMethod.writeUInt16BE(500, 17);
    expect(frameError(() => collector().decoder.push(shortMethod)).reason).toBe("malformed");
    const tooManyEntries = Buffer.from(bytes);
    tooManyEntries.writeUInt16BE(3, 19);
    expect(frameError(() => collector().decoder.push(tooManyEntries)).message).toMatch(/metadata/);
    const shortHeader = Buffer.from([0xb5, 1, 0, 0, 0, 3, 1, 1, 0]);
    expect(frameError(() => collector().decoder.push(shortHeader)).message).toMatch(/shorter than its header/);
  });

  it("reports a body flagged gzip that is not gzip as bad-gzip", () => {
    const bytes = encodeFrame(frameOf({ flags: FrameFlags.Gzip, body: Buffer.from("not gzip") }));
    expect(frameError(() => collector().decoder.push(bytes)).reason).toBe("bad-gzip");
  });

  it("refuses a gzip body that inflates past the limit", () => {
    const sender = { maxFrameBytes: 1 << 20, compressThresholdBytes: 10 };
    const bytes = encodeFrame(frameOf({ body: new Uint8Array(100_000) }), sender);
    const receiver = { ...sender, maxInflatedBodyBytes: 50_000 };
    expect(frameError(() => collector(receiver).decoder.push(bytes)).reason).toBe("too-large");
  });

  it("with deferInflate, hands gzip frames out with the flag set and the body still compressed", () => {
    const body = Buffer.alloc(1000, "z");
    const frames: Frame[] = [];
    const decoder = new FrameDecoder((frame) => frames.push(frame), smallLimits, { deferInflate: true });
    decoder.push(Buffer.concat([encodeFrame(frameOf({ requestId: 1, body }), smallLimits), encodeFrame(frameOf({ requestId: 2, body: Uint8Array.of(1, 2) }), smallLimits)]));
    expect(frames.map((frame) => frame.flags)).toEqual([FrameFlags.Gzip, 0]);
    expect(frames[0]!.body.length).toBeLessThan(body.length);
    expect(gunzipSync(frames[0]!.body)).toEqual(body);
    expect([...frames[1]!.body]).toEqual([1, 2]);
  });

  it("with deferInflate, leaves a body flagged gzip that is not gzip to whoever inflates it", () => {
    const bytes = encodeFrame(frameOf({ flags: FrameFlags.Gzip, body: Buffer.from("not gzip") }));
    const frames: Frame[] = [];
    new FrameDecoder((frame) => frames.push(frame), defaultFrameLimits, { deferInflate: true }).push(bytes);
    expect(frames).toHaveLength(1);
    expect(Buffer.from(frames[0]!.body).toString()).toBe("not gzip");
  });

  it("stays failed after an error: later input is not misread as frames", () => {
    const { frames, decoder } = collector();
    expect(() => decoder.push(Buffer.from("GET / HTTP/1.1\r\n"))).toThrow(FrameError);
    expect(() => decoder.push(encodeFrame(frameOf()))).toThrow(FrameError);
    expect(frames).toEqual([]);
  });

  it("does not lose the following frames when the callback throws", () => {
    const stream = Buffer.concat([1, 2, 3].map((requestId) => encodeFrame(frameOf({ requestId }))));
    const seen: number[] = [];
    const decoder = new FrameDecoder((frame) => {
      seen.push(frame.requestId);
      if (frame.requestId === 1) throw new Error("handler failed");
    });
    expect(() => decoder.push(stream)).toThrow("handler failed");
    expect(seen).toEqual([1]);
    decoder.push(Buffer.alloc(0)); // resumes
    expect(seen).toEqual([1, 2, 3]);
    decoder.push(encodeFrame(frameOf({ requestId: 4 })));
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it("never throws anything but FrameError on random garbage, and never emits an empty frame (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 8 }),
        fc.boolean(),
        (chunks, startWithMagic) => {
          const frames: Frame[] = [];
          const decoder = new FrameDecoder((frame) => frames.push(frame), smallLimits);
          if (startWithMagic && chunks.length > 0) chunks[0] = Uint8Array.of(0xb5, 1, ...chunks[0]!);
          for (const chunk of chunks) {
            try {
              decoder.push(Buffer.from(chunk));
            } catch (error) {
              expect(error).toBeInstanceOf(FrameError);
              return;
            }
          }
          for (const frame of frames) expect(frame.kind).toBeGreaterThanOrEqual(1);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
