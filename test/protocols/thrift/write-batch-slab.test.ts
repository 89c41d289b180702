/**
 * A Thrift write batch gives its output slab back once the kernel holds every
 * byte of it (an idle connection keeps no 64 KiB buffer), both when the kernel
 * takes a batch at once and when the socket had to queue it; and the bytes the
 * peer reads are exactly the messages written, slab reuse or not.
 */
import { once } from "node:events";
import { createServer, connect, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { BinaryOutput } from "../../../runtime/protocols/thrift/binary-output.js";
import { ThriftWriteBatch } from "../../../runtime/protocols/thrift/thrift-write-batch.js";

const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const server of servers.splice(0)) server.close();
});

/** A connected pair on 127.0.0.1: the writer's socket and the peer's, the peer paused unless `reading`. */
async function socketPair(reading: boolean): Promise<{ writer: Socket; peer: Socket; received: () => Promise<Buffer> }> {
  const server = createServer();
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as { port: number };
  const accepted = once(server, "connection");
  const writer = connect({ host: "127.0.0.1", port });
  sockets.push(writer);
  await once(writer, "connect");
  const [peer] = (await accepted) as [Socket];
  sockets.push(peer);
  const chunks: Buffer[] = [];
  if (reading) peer.on("data", (chunk: Buffer) => chunks.push(chunk));
  else peer.pause();
  const ended = reading ? once(peer, "end") : undefined;
  // Everything the writer sent, once it ended its side.
  const received = async (): Promise<Buffer> => {
    await ended;
    return Buffer.concat(chunks);
  };
  return { writer, peer, received };
}

/** Writes one framed message of `size` bytes of `fill` into the batch and flushes it. */
function writeMessage(batch: ThriftWriteBatch, size: number, fill: number): void {
  const mark = batch.begin();
  const bytes = Buffer.alloc(size, fill);
  batch.out.ensure(size);
  bytes.copy(batch.out.buf, batch.out.pos);
  batch.out.pos += size;
  batch.end(mark, 1 << 24);
  batch.flush();
}

describe("a Thrift write batch's slab", () => {
  it("goes back as soon as the kernel took the batch, and the peer reads every byte", async () => {
    const { writer, received } = await socketPair(true);
    const batch = new ThriftWriteBatch(writer, new BinaryOutput(), true);
    writeMessage(batch, 100, 0x61);
    expect(batch.out.buf.length).toBe(0);
    writeMessage(batch, 200, 0x62);
    expect(batch.out.buf.length).toBe(0);
    writer.end();
    const bytes = await received();
    expect(bytes.length).toBe(4 + 100 + 4 + 200);
    expect(bytes.readInt32BE(0)).toBe(100);
    expect(bytes.subarray(4, 104).every((b) => b === 0x61)).toBe(true);
    expect(bytes.readInt32BE(104)).toBe(200);
    expect(bytes.subarray(108).every((b) => b === 0x62)).toBe(true);
  });

  it("is kept while the socket queues the batch (a peer that does not read), and given back once it drained", async () => {
    const { writer, peer } = await socketPair(false);
    const batch = new ThriftWriteBatch(writer, new BinaryOutput(), true);
    // Fill the kernel's buffers, then one more batch waits in the socket.
    for (let i = 0; i < 200 && writer.writableLength === 0; i++) writeMessage(batch, 60_000, i & 0xff);
    expect(writer.writableLength).toBeGreaterThan(0);
    expect(batch.out.buf.length).toBeGreaterThan(0);
    peer.resume();
    await once(writer, "drain");
    await new Promise((resolve) => setImmediate(resolve));
    expect(writer.writableLength).toBe(0);
    expect(batch.out.buf.length).toBe(0);
  });
});
