/**
 * Gzipped bodies are inflated off the event loop, a few at a time: 20 calls
 * whose 60 KB bodies inflate to 60 MiB each are all answered, and a client on
 * another connection is served meanwhile. (Before the fix they were inflated
 * synchronously while reading, stalling every client for hundreds of ms.)
 */
import { once } from "node:events";
import { connect } from "node:net";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Channel } from "../../runtime/client/channel.js";
import { binaryCodec } from "../../runtime/codec/binary-codec.js";
import { encodeFrame } from "../../runtime/wire/frame-encoder.js";
import { FrameDecoder } from "../../runtime/wire/frame-decoder.js";
import { CodecId, FrameFlags, FrameKind } from "../../runtime/wire/frame.js";
import { ChaosService } from "./support/chaos-service.js";
import { startChaosServer, type ChaosServer } from "./support/chaos-process.js";

const MiB = 1024 * 1024;
const bombs = 20;
const inflatedBytes = 60 * MiB;
const m = ChaosService.methods;

let server: ChaosServer;

beforeAll(async () => {
  server = await startChaosServer();
});

afterAll(async () => {
  await server.stop();
});

describe(`${bombs} gzipped calls that inflate to 60 MiB each`, () => {
  it("are all answered while another client keeps being served", async () => {
    const args = binaryCodec.encodeArgs(m.bodySize!, [Buffer.alloc(inflatedBytes)]);
    const compressed = gzipSync(args, { level: 9 });
    expect(compressed.length).toBeLessThan(128 * 1024);
    const frames = Buffer.concat(
      Array.from({ length: bombs }, (_, i) =>
        encodeFrame({ kind: FrameKind.Call, requestId: i + 1, method: "Chaos.bodySize", codec: CodecId.Binary, flags: FrameFlags.Gzip, deadlineMs: 0, metadata: undefined, body: compressed }),
      ),
    );
    const socket = connect({ host: "127.0.0.1", port: server.port });
    await once(socket, "connect");
    const sizes: number[] = [];
    const answered = new Promise<void>((resolve, reject) => {
      const decoder = new FrameDecoder((frame) => {
        if (frame.kind !== FrameKind.Reply) return reject(new Error(`frame kind ${frame.kind}`));
        sizes.push(binaryCodec.decodeOutcome(m.bodySize!, frame.body).value as number);
        if (sizes.length === bombs) resolve();
      });
      socket.on("data", (chunk: Buffer) => decoder.push(chunk));
    });
    const bystander = new Channel({ address: `127.0.0.1:${server.port}`, codec: "binary" });
    await bystander.invoke(m.add!, [0, 0]);
    socket.write(frames);
    let bystanderCalls = 0;
    let slowestMs = 0;
    let done = false;
    void answered.then(() => (done = true));
    while (!done) {
      const started = performance.now();
      expect(await bystander.invoke(m.add!, [bystanderCalls, 1], { timeoutMs: 10_000 })).toBe(bystanderCalls + 1);
      slowestMs = Math.max(slowestMs, performance.now() - started);
      bystanderCalls++;
    }
    await answered;
    socket.destroy();
    bystander.destroy();
    expect(sizes).toEqual(Array.from({ length: bombs }, () => inflatedBytes));
    // Served throughout, not only once the bombs were done.
    expect(bystanderCalls).toBeGreaterThan(bombs);
    expect(server.alive()).toBe(true);
    console.log(`chaos: ${bombs} gzip bodies inflating to 60 MiB: bystander made ${bystanderCalls} calls meanwhile, slowest ${Math.round(slowestMs)} ms; peak RSS ${Math.round(server.peakRssBytes() / MiB)} MB`);
  }, 90_000);
});
