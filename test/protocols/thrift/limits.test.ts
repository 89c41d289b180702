/**
 * The server's limits (docs/LIMITS.md) hold for Thrift connections as for every
 * protocol: the frame size both ways, idle and handshake timeouts, the
 * in-flight limit with TCP back-pressure, the connection limit, and a graceful
 * drain that finishes the calls in flight.
 */
import { connect } from "node:net";
import { once } from "node:events";
import { afterEach, describe, expect, it } from "vitest";
import { Server, ThriftChannel, silentLogger, type ServerOptions } from "@rpcgen/runtime";
import { ChaosService } from "../../chaos/support/chaos-service.js";
import { eventually } from "./support/calculator-server.js";

const m = ChaosService.methods;

interface Running {
  server: Server;
  port: number;
  /** Calls of `slow` running right now, and the most at once. */
  slowNow: number;
  slowPeak: number;
}

const cleanup: Array<() => Promise<void> | void> = [];

afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

async function start(options: ServerOptions): Promise<Running> {
  const server = new Server({ logger: silentLogger, ...options });
  const running: Running = { server, port: 0, slowNow: 0, slowPeak: 0 };
  server.addService(ChaosService, {
    bigReply: (size: number) => Buffer.alloc(size, 0x61),
    add: (a: number, b: number) => a + b,
    bodySize: (data: Uint8Array) => data.length,
    slow: async (ms: number) => {
      running.slowNow++;
      running.slowPeak = Math.max(running.slowPeak, running.slowNow);
      await new Promise((resolve) => setTimeout(resolve, ms));
      running.slowNow--;
      return `slept ${ms}`;
    },
  });
  running.port = (await server.listen({ host: "127.0.0.1", port: 0 })).port;
  cleanup.push(() => server.close({ graceMs: 500 }));
  return running;
}

function channel(port: number, options: Partial<ConstructorParameters<typeof ThriftChannel>[0]> = {}): ThriftChannel {
  const opened = new ThriftChannel({ address: `127.0.0.1:${port}`, reconnect: { baseMs: 0, maxMs: 0 }, ...options });
  cleanup.push(() => opened.destroy());
  return opened;
}

describe("frame size", () => {
  it.each(["framed", "buffered"] as const)(
    "a %s call over maxFrameBytes closes that connection; the next one is served",
    async (transport) => {
      const { port } = await start({ maxFrameBytes: 4096 });
      const client = channel(port, { transport });
      expect(await client.invoke(m.add!, [1, 2])).toBe(3);
      await expect(client.invoke(m.bodySize!, [new Uint8Array(8192)])).rejects.toMatchObject({ code: "UNAVAILABLE" });
      expect(await client.invoke(m.bodySize!, [new Uint8Array(1000)])).toBe(1000);
    },
  );

  it("a call over the channel's own limit is refused before it is sent", async () => {
    const { port } = await start({});
    const client = channel(port, { maxMessageBytes: 1024 });
    await expect(client.invoke(m.bodySize!, [new Uint8Array(2000)])).rejects.toMatchObject({ code: "RESOURCE_EXHAUSTED" });
    expect(await client.invoke(m.add!, [2, 2])).toBe(4);
  });

  it("a reply over maxFrameBytes is not sent: the caller gets RESOURCE_EXHAUSTED and the connection goes on", async () => {
    const { port } = await start({ maxFrameBytes: 4096 });
    const client = channel(port, { protocol: "compact" });
    await expect(client.invoke(m.bigReply!, [10_000])).rejects.toMatchObject({
      code: "RESOURCE_EXHAUSTED",
      message: expect.stringMatching(/reply not sent/),
    });
    expect(Buffer.from((await client.invoke(m.bigReply!, [100])) as Uint8Array).toString()).toBe("a".repeat(100));
  });
});

describe("timeouts", () => {
  it("an idle Thrift connection is closed, and the client's next call opens a new one", async () => {
    const running = await start({ idleTimeoutMs: 200 });
    const client = channel(running.port);
    const disconnected = once(client, "disconnected");
    expect(await client.invoke(m.add!, [1, 1])).toBe(2);
    const [, error] = await disconnected;
    expect(error).toBeUndefined();
    await eventually(() => running.server.connectionCount === 0);
    expect(await client.invoke(m.add!, [2, 3])).toBe(5);
  });

  it("a connection that never completes its first call is closed after handshakeTimeoutMs", async () => {
    const running = await start({ handshakeTimeoutMs: 200 });
    const socket = connect({ host: "127.0.0.1", port: running.port });
    cleanup.push(() => void socket.destroy());
    await once(socket, "connect");
    // A framed strict binary call header, and then nothing.
    socket.write(Buffer.from([0, 0, 0, 40, 0x80, 0x01, 0x00, 0x01, 0, 0, 0, 3, 0x61]));
    const started = Date.now();
    await once(socket, "close");
    expect(Date.now() - started).toBeLessThan(2000);
    await eventually(() => running.server.connectionCount === 0);
  });
});

describe("flow control", () => {
  it("calls past maxInFlightPerConnection wait (the server stops reading) and all complete", async () => {
    const running = await start({ maxInFlightPerConnection: 2 });
    const client = channel(running.port, { transport: "buffered" });
    const replies = await Promise.all(Array.from({ length: 8 }, () => client.invoke(m.slow!, [50])));
    expect(replies).toEqual(Array.from({ length: 8 }, () => "slept 50"));
    expect(running.slowPeak).toBe(2);
  });

  it("at the connection limit, a Thrift newcomer's first call is answered RESOURCE_EXHAUSTED", async () => {
    const running = await start({ maxConnections: 1 });
    const busy = channel(running.port);
    const slow = busy.invoke(m.slow!, [300]);
    await eventually(() => running.slowNow === 1);
    const refused = channel(running.port, { protocol: "compact" });
    await expect(refused.invoke(m.add!, [1, 2])).rejects.toMatchObject({
      code: "RESOURCE_EXHAUSTED",
      message: "server is at its limit of 1 connections",
    });
    expect(await slow).toBe("slept 300");
  });
});

describe("graceful shutdown", () => {
  it.each(["framed", "buffered"] as const)("a %s call in flight is answered before the server closes", async (transport) => {
    const running = await start({});
    const client = channel(running.port, { transport });
    const inFlight = client.invoke(m.slow!, [300]);
    await eventually(() => running.slowNow === 1);
    const closed = running.server.close({ graceMs: 5000 });
    expect(await inFlight).toBe("slept 300");
    await closed;
    expect(running.server.connectionCount).toBe(0);
    // The port is closed now: a new call cannot get through.
    await expect(client.invoke(m.add!, [1, 2], { timeoutMs: 2000 })).rejects.toMatchObject({ code: "UNAVAILABLE" });
  });
});
