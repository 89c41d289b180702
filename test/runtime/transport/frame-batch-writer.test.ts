import { once } from "node:events";
import { createServer, connect, type AddressInfo, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { RpcError, defaultFrameLimits } from "@rpcgen/runtime";
import { CodecId, FrameKind, type Frame } from "@rpcgen/runtime/internal/wire/frame.js";
import { FrameDecoder } from "@rpcgen/runtime/internal/wire/frame-decoder.js";
import { binaryCodec } from "@rpcgen/runtime/internal/codec/binary-codec.js";
import { FrameBatchWriter } from "../../../runtime/transport/frame-batch-writer.js";
import { echo } from "../codec/fixtures/lab-descriptors.js";

const opened: Array<{ close(): void }> = [];
afterEach(() => {
  for (const thing of opened.splice(0)) thing.close();
});

/** A connected socket pair on 127.0.0.1; the receiving side decodes frames into `received`. */
async function socketPair(): Promise<{ sender: Socket; received: Frame[] }> {
  const received: Frame[] = [];
  const server = createServer((socket) => {
    const decoder = new FrameDecoder((frame) => received.push(frame));
    socket.on("data", (chunk: Buffer) => decoder.push(chunk));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const sender = connect((server.address() as AddressInfo).port, "127.0.0.1");
  await once(sender, "connect");
  opened.push({ close: () => server.close() }, { close: () => sender.destroy() });
  return { sender, received };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
}

function queueCall(writer: FrameBatchWriter, id: number, text: string): number {
  const body = binaryCodec.encodeArgsDeferred(echo, [text, id]);
  return writer.writeFrame(FrameKind.Call, id, echo.fullName, CodecId.Binary, 100, { n: String(id) }, body);
}

describe("FrameBatchWriter", () => {
  it("sends frames encoded into its slab and frames encoded elsewhere in write order, across slab ends", async () => {
    const { sender, received } = await socketPair();
    const writer = new FrameBatchWriter(sender, defaultFrameLimits);
    const expected: number[] = [];
    // About 150 KB: several slabs, with control frames between slab frames.
    for (let id = 1; id <= 1500; id++) {
      queueCall(writer, id, `call ${id} `.repeat(8));
      expected.push(id);
      if (id % 100 === 0) {
        writer.write({
          kind: FrameKind.Ping,
          requestId: 100_000 + id,
          method: "",
          codec: CodecId.Json,
          flags: 0,
          deadlineMs: 0,
          metadata: undefined,
          body: new Uint8Array(0),
        });
        expected.push(100_000 + id);
      }
      // A few turns end mid-way, so later batches start inside a slab already written from.
      if (id % 700 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    expect(writer.pendingBytes).toBeGreaterThan(0);
    await until(() => received.length >= expected.length);
    expect(received.map((frame) => frame.requestId)).toEqual(expected);
    const call = received.find((frame) => frame.requestId === 777)!;
    expect(call.metadata).toEqual({ n: "777" });
    expect(binaryCodec.decodeArgs(echo, call.body)).toEqual([`call 777 `.repeat(8), 777]);
  });

  it("takes back the frame just queued with unwriteLast, and queues nothing for a frame that is refused", async () => {
    const { sender, received } = await socketPair();
    const writer = new FrameBatchWriter(sender, { ...defaultFrameLimits, maxFrameBytes: 400 });
    queueCall(writer, 1, "kept");
    const size = queueCall(writer, 2, "taken back");
    writer.unwriteLast(size);
    expect(() => queueCall(writer, 3, "x".repeat(500))).toThrow(RpcError);
    queueCall(writer, 4, "kept too");
    writer.flush();
    await until(() => received.length >= 2);
    expect(received.map((frame) => frame.requestId)).toEqual([1, 4]);
    expect(binaryCodec.decodeArgs(echo, received[1]!.body)).toEqual(["kept too", 4]);
  });

  it("writes the batch at once from flushIfFull when it holds earlyFlushBytes, and not before", async () => {
    const { sender, received } = await socketPair();
    const writer = new FrameBatchWriter(sender, defaultFrameLimits, undefined, 1000);
    const before = sender.bytesWritten;
    let queued = 0;
    let id = 0;
    while (queued + 200 < 1000) {
      queued += queueCall(writer, ++id, "x".repeat(100));
      writer.flushIfFull();
    }
    expect(sender.bytesWritten).toBe(before);
    while (queued < 1000) queued += queueCall(writer, ++id, "x".repeat(100));
    writer.flushIfFull();
    // Handed to the socket in this very turn, not at the end of it.
    expect(sender.bytesWritten).toBe(before + queued);
    await until(() => received.length >= id);
    expect(received.map((frame) => frame.requestId)).toEqual(Array.from({ length: id }, (_, i) => i + 1));
  });
});
