/**
 * A client that sends many calls for large replies in one write and then never
 * reads must cost the server bounded memory, and must not stop anyone else
 * from being served. (Before the fix: RSS ~6 GB, then a crash in Buffer.concat.)
 */
import { describe, expect, it } from "vitest";
import { Channel } from "../../runtime/client/channel.js";
import { binaryCodec } from "../../runtime/codec/binary-codec.js";
import { encodeFrame } from "../../runtime/wire/frame-encoder.js";
import { FrameDecoder } from "../../runtime/wire/frame-decoder.js";
import { CodecId, FrameKind } from "../../runtime/wire/frame.js";
import { ChaosService } from "./support/chaos-service.js";
import { waitUntil } from "./support/chaos-process.js";
import { useChaosServer } from "./support/chaos-fixture.js";

const MiB = 1024 * 1024;
const GB = 1000 * MiB;
const m = ChaosService.methods;
const mb = (bytes: number): number => Math.round(bytes / MiB);

/** `count` call frames for bigReply(size), ids 1..count, as one buffer. */
function bigReplyCalls(count: number, size: number): Buffer {
  const body = binaryCodec.encodeArgs(m.bigReply!, [size]);
  const frames: Buffer[] = [];
  for (let id = 1; id <= count; id++) {
    frames.push(encodeFrame({ kind: FrameKind.Call, requestId: id, method: "Chaos.bigReply", codec: CodecId.Binary, flags: 0, deadlineMs: 0, metadata: undefined, body }));
  }
  return Buffer.concat(frames);
}

const chaos = useChaosServer();

describe("a client that never reads its replies", () => {
  it("costs the server bounded memory, and a new client is served meanwhile", async () => {
    const hog = await chaos.openSocket();
    hog.pause();
    hog.write(bigReplyCalls(10_000, MiB));
    // Let the server do its worst: it reads, starts calls and queues replies until its limits stop it.
    const steady = await waitUntil(() => chaos.server.rssBytes() > 64 * MiB, 5000);
    expect(steady).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const channel = new Channel({ address: `127.0.0.1:${chaos.server.port}`, codec: "binary" });
    let servedInMs = 0;
    try {
      const started = Date.now();
      expect(await channel.invoke(m.add!, [1, 2], { timeoutMs: 5000 })).toBe(3);
        servedInMs = Date.now() - started;
    } finally {
      channel.destroy();
    }
    expect(chaos.server.alive()).toBe(true);
    expect(chaos.server.peakRssBytes()).toBeLessThan(GB);
    console.log(`chaos: slow reader (10,000 × 1 MiB replies): peak RSS ${mb(chaos.server.peakRssBytes())} MB, new client served in ${servedInMs} ms`);
  });

  it("a client that does read gets every reply, with the server's peak memory still bounded", async () => {
    const count = 2000;
    const reader = await chaos.openSocket();
    let replies = 0;
    let bytes = 0;
    const done = new Promise<void>((resolve, reject) => {
      const decoder = new FrameDecoder(
        (frame) => {
          if (frame.kind !== FrameKind.Reply) reject(new Error(`unexpected frame kind ${frame.kind}`));
          replies++;
          bytes += frame.body.length;
          if (replies === count) resolve();
        },
        { maxFrameBytes: 4 * MiB, compressThresholdBytes: 2 * MiB },
      );
      reader.on("data", (chunk: Buffer) => decoder.push(chunk));
    });
    reader.write(bigReplyCalls(count, MiB));
    await done;
    expect(replies).toBe(count);
    expect(bytes).toBeGreaterThan(count * MiB);
    expect(chaos.server.alive()).toBe(true);
    expect(chaos.server.peakRssBytes()).toBeLessThan(GB);
    console.log(`chaos: reading client (${count} × 1 MiB replies): peak RSS ${mb(chaos.server.peakRssBytes())} MB`);
  }, 120_000);
});
