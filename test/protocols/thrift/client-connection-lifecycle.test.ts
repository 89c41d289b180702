/**
 * The life of a ThriftChannel's connections, which the rpcgen Channel shares
 * (runtime/client/pipelined-connection.ts, pooled-channel.ts): how far a call
 * got when its connection is lost, deadline and cancel on a server that never
 * answers, a close that waits for the calls in flight, destroy.
 */
import { createServer, type Server as NetServer, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Code, ConnectionLostError, RpcError, Server, silentLogger, ThriftChannel } from "@rpcgen/runtime";
import { CalculatorClient, registerCalculator, type CalculatorHandler } from "../../../examples/calculator/gen/calculator.js";
import { eventually, QuietCalculatorHandler } from "./support/calculator-server.js";

/** A TCP server that reads calls and never answers; `onData` may act on the socket (e.g. drop it). */
interface SilentServer {
  port: number;
  bytesReceived: number;
  ended: boolean;
  close(): Promise<void>;
}

async function startSilentServer(onData?: (socket: Socket) => void): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  const server: NetServer = createServer((socket) => {
    sockets.add(socket);
    socket.on("data", (chunk) => {
      silent.bytesReceived += chunk.length;
      onData?.(socket);
    });
    socket.on("end", () => {
      silent.ended = true;
      socket.end();
    });
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const silent: SilentServer = {
    port: (server.address() as { port: number }).port,
    bytesReceived: 0,
    ended: false,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return silent;
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function channelTo(port: number): ThriftChannel {
  const channel = new ThriftChannel({ address: `127.0.0.1:${port}`, reconnect: { baseMs: 10_000, maxMs: 10_000 } });
  cleanups.push(() => channel.destroy());
  return channel;
}

describe("a lost connection says how far each call got", () => {
  it("a call the server read, then lost with its connection, fails `unanswered`", async () => {
    const server = await startSilentServer((socket) => socket.destroy());
    cleanups.push(() => server.close());
    const client = new CalculatorClient(channelTo(server.port));
    const error = await client.add(1, 2).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectionLostError);
    expect(error).toMatchObject({ code: Code.UNAVAILABLE, delivery: "unanswered" });
  });

  it("a call to an address that refuses connections fails `never-sent`, and so does the next one while the slot backs off", async () => {
    const server = await startSilentServer();
    const port = server.port;
    await server.close();
    const client = new CalculatorClient(channelTo(port));
    expect(await client.add(1, 2).catch((e: unknown) => e)).toMatchObject({ code: Code.UNAVAILABLE, delivery: "never-sent" });
    const next = await client.add(1, 2).catch((e: unknown) => e);
    expect(next).toBeInstanceOf(ConnectionLostError);
    expect(next).toMatchObject({ delivery: "never-sent" });
    expect((next as Error).message).toContain("next reconnect attempt");
  });
});

describe("calls the server never answers", () => {
  it("a deadline settles the call at once; close() then ends the idle connection", async () => {
    const server = await startSilentServer();
    cleanups.push(() => server.close());
    const channel = channelTo(server.port);
    const client = new CalculatorClient(channel);
    const error = await client.add(1, 2, { timeoutMs: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect(error).toMatchObject({
      code: Code.DEADLINE_EXCEEDED,
      message: `Calculator.add to 127.0.0.1:${server.port} passed its deadline`,
    });
    expect(server.bytesReceived).toBeGreaterThan(0);
    expect(channel.pendingCalls).toBe(0);
    await channel.close();
    await eventually(() => server.ended);
  });

  it("an aborted signal cancels the call", async () => {
    const server = await startSilentServer();
    cleanups.push(() => server.close());
    const client = new CalculatorClient(channelTo(server.port));
    const abort = new AbortController();
    const call = client.add(1, 2, { signal: abort.signal }).catch((e: unknown) => e);
    await eventually(() => server.bytesReceived > 0);
    abort.abort(new Error("changed my mind"));
    expect(await call).toMatchObject({ code: Code.CANCELLED, message: "Calculator.add was cancelled" });
  });

  it("destroy() rejects the calls in flight, and the channel takes no more", async () => {
    const server = await startSilentServer();
    cleanups.push(() => server.close());
    const channel = channelTo(server.port);
    const client = new CalculatorClient(channel);
    const calls = [client.add(1, 2), client.add(3, 4)].map((call) => call.catch((e: unknown) => e));
    await eventually(() => channel.pendingCalls === 2);
    channel.destroy();
    for (const error of await Promise.all(calls)) {
      expect(error).toMatchObject({ code: Code.CANCELLED, message: `Thrift channel to 127.0.0.1:${server.port} was destroyed` });
    }
    expect(channel.pendingCalls).toBe(0);
    expect(await client.add(1, 2).catch((e: unknown) => e)).toMatchObject({
      code: Code.UNAVAILABLE,
      message: `Thrift channel to 127.0.0.1:${server.port} is closed`,
    });
  });
});

describe("close()", () => {
  it("waits for the call in flight, which is answered, then resolves", async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    // add answers only once released.
    const handler: CalculatorHandler = Object.assign(new QuietCalculatorHandler(), {
      add: async (a: number, b: number): Promise<number> => {
        await released;
        return a + b;
      },
    });
    const server = new Server({ logger: silentLogger });
    registerCalculator(server, handler);
    const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
    cleanups.push(() => server.close({ graceMs: 0 }));
    const channel = channelTo(port);
    const client = new CalculatorClient(channel);
    const call = client.add(2, 3);
    let closed = false;
    const closing = channel.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(false);
    expect(channel.pendingCalls).toBe(1);
    release();
    expect(await call).toBe(5);
    await closing;
    expect(channel.pendingCalls).toBe(0);
  });
});
