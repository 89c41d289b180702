/**
 * The hot path's batching: RespEncoder writes many values into one buffer,
 * RespWriteBatch turns one event-loop turn of them into one socket write, the
 * server answers a pipelined burst with one write, and the parser reads values
 * that sit inside one chunk in place.
 */
import net from "node:net";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { type RespValue } from "@rpcgen/runtime";
import { RespParser } from "@rpcgen/runtime/internal/resp/resp-parser.js";
import { serializeCommand, serializeResp } from "@rpcgen/runtime/internal/resp/resp-serializer.js";
import { RespEncoder } from "../../../runtime/resp/resp-encoder.js";
import { RespWriteBatch } from "../../../runtime/resp/resp-write-batch.js";
import { startCalculatorServer, type RunningServer } from "./fixtures/calculator-server.js";
import { RawRespClient } from "./fixtures/raw-resp-client.js";

const samples: RespValue[] = [
  { type: "simple", value: "OK" },
  { type: "error", value: "ERR bad\r\nthing" },
  { type: "integer", value: -9223372036854775808n },
  { type: "bulk", value: Buffer.from("héllo") },
  { type: "null" },
  { type: "double", value: -0 },
  { type: "boolean", value: true },
  { type: "bignum", value: 12345678901234567890123n },
  { type: "verbatim", format: "txt", value: Buffer.from("some text") },
  { type: "map", value: [[{ type: "simple", value: "k" }, { type: "array", value: [{ type: "integer", value: 1n }] }]] },
  { type: "set", value: [{ type: "bulk", value: Buffer.alloc(0) }] },
];

/** Counts the `write` calls a real socket receives, passing each one on unchanged. */
function countWrites(socket: net.Socket): { count: number } {
  const counter = { count: 0 };
  const write = socket.write.bind(socket) as (...args: unknown[]) => boolean;
  socket.write = ((...args: unknown[]) => {
    counter.count++;
    return write(...args);
  }) as typeof socket.write;
  return counter;
}

function parseAll(bytes: Buffer): RespValue[] {
  const parser = new RespParser({ maxBulkBytes: 64 * 1024 * 1024 });
  parser.push(bytes);
  const values: RespValue[] = [];
  for (let value = parser.next(); value !== undefined; value = parser.next()) values.push(value);
  expect(parser.idle).toBe(true);
  return values;
}

describe("RespEncoder", () => {
  it.each([2, 3] as const)("writes many RESP%i values back to back exactly as serializeResp writes each", (version) => {
    const encoder = new RespEncoder(64);
    for (const value of samples) encoder.value(value, version);
    const expected = Buffer.concat(samples.map((value) => serializeResp(value, version)));
    expect(encoder.byteLength).toBe(expected.length);
    expect(Buffer.concat(encoder.take())).toEqual(expected);
    expect(encoder.byteLength).toBe(0);
  });

  it("passes a large bulk payload on by reference, between the buffered bytes around it", () => {
    const encoder = new RespEncoder();
    const large = Buffer.alloc(20_000, 7);
    encoder.command(["CALL", "Calculator.echoBytes", large, "tail"]);
    const chunks = encoder.take();
    expect(chunks).toHaveLength(3);
    expect(chunks[1]).toBe(large);
    const bytes = Buffer.concat(chunks);
    expect(bytes).toEqual(serializeCommand(["CALL", "Calculator.echoBytes", large, "tail"]));
    expect(parseAll(bytes)).toEqual([
      { type: "array", value: ["CALL", "Calculator.echoBytes", large, "tail"].map((word) => ({ type: "bulk", value: Buffer.from(word) })) },
    ]);
  });

  it("leaves handed-out bytes alone while the next batch is written and grown", () => {
    const encoder = new RespEncoder(16);
    encoder.command(["PING", "first"]);
    const first = Buffer.concat(encoder.take());
    const firstCopy = Buffer.from(first);
    for (let i = 0; i < 1000; i++) encoder.command(["ECHO", `word ${i} ✓`]);
    const second = Buffer.concat(encoder.take());
    expect(first).toEqual(firstCopy);
    const commands = parseAll(second);
    expect(commands).toHaveLength(1000);
    expect(commands[999]).toEqual({ type: "array", value: [{ type: "bulk", value: Buffer.from("ECHO") }, { type: "bulk", value: Buffer.from("word 999 ✓") }] });
  });
});

describe("RespWriteBatch", () => {
  const opened: net.Socket[] = [];
  let listener: net.Server | undefined;

  afterEach(async () => {
    for (const socket of opened.splice(0)) socket.destroy();
    if (listener !== undefined) await new Promise((resolve) => listener!.close(resolve));
    listener = undefined;
  });

  /** A connected pair of real sockets on 127.0.0.1. */
  async function socketPair(): Promise<{ client: net.Socket; server: net.Socket }> {
    listener = net.createServer();
    listener.listen(0, "127.0.0.1");
    await once(listener, "listening");
    const accepted = once(listener, "connection");
    const client = net.createConnection({ host: "127.0.0.1", port: (listener.address() as net.AddressInfo).port });
    const [server] = (await accepted) as [net.Socket];
    opened.push(client, server);
    return { client, server };
  }

  it("writes the commands of one turn with one socket write, in order", async () => {
    const { client, server } = await socketPair();
    const writes = countWrites(client);
    let flushes = 0;
    const batch = new RespWriteBatch(client, () => flushes++);
    for (let i = 0; i < 200; i++) batch.call("Calculator.add", [String(i), Buffer.from("1")]);
    expect(writes.count).toBe(0);
    expect(batch.pendingBytes).toBeGreaterThan(0);

    const parser = new RespParser();
    const received: RespValue[] = [];
    server.on("data", (chunk: Buffer) => {
      parser.push(chunk);
      for (let value = parser.next(); value !== undefined; value = parser.next()) received.push(value);
    });
    for (let i = 0; i < 1000 && received.length < 200; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(writes.count).toBe(1);
    expect(flushes).toBe(1);
    expect(received).toHaveLength(200);
    received.forEach((command, i) => {
      expect(command).toEqual({ type: "array", value: ["CALL", "Calculator.add", String(i), "1"].map((word) => ({ type: "bulk", value: Buffer.from(word) })) });
    });
  });

  it("flush() writes at once, and a batch for a destroyed socket is dropped without an error", async () => {
    const { client } = await socketPair();
    const writes = countWrites(client);
    const batch = new RespWriteBatch(client);
    batch.value({ type: "simple", value: "OK" }, 2);
    batch.flush();
    expect(writes.count).toBe(1);
    batch.value({ type: "simple", value: "OK" }, 2);
    client.destroy();
    batch.flush();
    expect(writes.count).toBe(1);
    // Only what the socket itself still holds; the dropped batch is gone.
    expect(batch.pendingBytes).toBe(client.writableLength);
  });
});

describe("RESP server batching", () => {
  let server: RunningServer | undefined;
  let client: RawRespClient | undefined;

  afterEach(async () => {
    await client?.close();
    await server?.close();
    client = undefined;
    server = undefined;
  });

  it("answers a pipelined burst with no more socket writes than it received chunks, replies in order", async () => {
    server = await startCalculatorServer();
    client = await RawRespClient.connect(server.port);
    for (let i = 0; i < 1000 && server.sockets.size === 0; i++) await new Promise((resolve) => setImmediate(resolve));
    const [serverSide] = [...server.sockets];
    const writes = countWrites(serverSide!);
    let chunks = 0;
    serverSide!.on("data", () => chunks++);
    const count = 100;
    client.write(Buffer.concat(Array.from({ length: count }, (_, i) => serializeCommand(["CALL", "Calculator.add", String(i), "1000"]))));
    const replies = await client.read(count);
    expect(replies).toEqual(Array.from({ length: count }, (_, i) => ({ type: "integer", value: BigInt(i + 1000) })));
    expect(writes.count).toBeGreaterThan(0);
    expect(writes.count).toBeLessThanOrEqual(chunks);
  });
});

describe("RespParser reading in place", () => {
  it("reads bulk strings inside one chunk and across chunks alike", () => {
    const command = serializeCommand(["CALL", "Echo.echo", "x".repeat(300), "42"]);
    const whole = new RespParser();
    whole.push(command);
    const split = new RespParser();
    split.push(command.subarray(0, 40));
    expect(split.next()).toBeUndefined();
    split.push(command.subarray(40));
    const expected = { type: "array", value: ["CALL", "Echo.echo", "x".repeat(300), "42"].map((word) => ({ type: "bulk", value: Buffer.from(word) })) };
    expect(whole.next()).toEqual(expected);
    expect(split.next()).toEqual(expected);
  });

  it.each([
    ["a leading zero", "*1\r\n$01\r\nx\r\n", "invalid length '01' (at byte 4 of the stream)"],
    ["a sign", "*+1\r\n", "invalid length '+1' (at byte 0 of the stream)"],
    ["16 digits", "$1234567890123456\r\n", "invalid length '1234567890123456' (at byte 0 of the stream)"],
    ["no CR after the payload", "$2\r\nab\n\n", "bulk string not followed by CRLF (got 0x0a) (at byte 6 of the stream)"],
    ["no LF after the payload", "$2\r\nabxy", "bulk string not followed by CRLF (got 'x') (at byte 6 of the stream)"],
  ])("refuses a length or bulk with %s", (_name, input, message) => {
    const parser = new RespParser();
    parser.push(Buffer.from(input));
    expect(() => parser.next()).toThrow(message);
  });
});
