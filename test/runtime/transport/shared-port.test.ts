import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { EchoService } from "./fixtures/echo-service.js";
import { Cleanup, openChannel, startEchoServer } from "./harness.js";

const m = EchoService.methods;
const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** Sends `request` on a fresh socket and resolves with the first `expectedBytes` bytes of the answer. */
function exchange(address: string, request: string, expectedBytes: number): Promise<string> {
  const [host, port] = address.split(":");
  return new Promise((resolve, reject) => {
    const socket = connect({ host: host!, port: Number(port) }, () => socket.write(request));
    cleanup.add(() => void socket.destroy());
    let received = "";
    socket.on("data", (chunk) => {
      received += chunk.toString("latin1");
      if (received.length >= expectedBytes) {
        socket.end();
        resolve(received);
      }
    });
    socket.on("error", reject);
  });
}

describe("one port, two protocols", () => {
  it("serves RESP (array and inline commands) and binary frames side by side", async () => {
    const { address } = await startEchoServer(cleanup);
    const channel = openChannel(cleanup, { address });
    const [array, inline, binary] = await Promise.all([
      exchange(address, "*1\r\n$4\r\nPING\r\n", 7),
      exchange(address, "PING\r\n", 7),
      channel.invoke(m.echo!, ["frames"]),
    ]);
    expect(array).toBe("+PONG\r\n");
    expect(inline).toBe("+PONG\r\n");
    expect(binary).toBe("frames");
  });

  it("answers a RESP client over the connection limit in RESP", async () => {
    const { address } = await startEchoServer(cleanup, { maxConnections: 0 });
    const answer = await exchange(address, "PING\r\n", 5);
    expect(answer).toMatch(/^-ERR server is at its limit of 0 connections/);
  });

  it("closes RESP connections on shutdown once the binary side has drained", async () => {
    const { address, server } = await startEchoServer(cleanup);
    const [host, port] = address.split(":");
    const socket = connect({ host: host!, port: Number(port) });
    cleanup.add(() => void socket.destroy());
    const pong = new Promise<string>((resolve) => socket.once("data", (chunk) => resolve(chunk.toString("latin1"))));
    socket.write("PING\r\n");
    expect(await pong).toBe("+PONG\r\n");
    const ended = new Promise<void>((resolve) => socket.once("end", () => resolve()));
    socket.resume();
    await server.close({ graceMs: 5000 });
    await ended;
    expect(server.connectionCount).toBe(0);
  });
});

describe("graceful close treats every protocol alike", () => {
  it("completes a RESP call in flight and a binary call in flight, then closes both connections", async () => {
    const { address, server, stats } = await startEchoServer(cleanup);
    const [host, port] = address.split(":");
    const socket = connect({ host: host!, port: Number(port) });
    cleanup.add(() => void socket.destroy());
    let received = "";
    socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
    const ended = new Promise<void>((resolve) => socket.once("end", () => resolve()));
    socket.write("CALL Echo.slow 200\r\n");
    const channel = openChannel(cleanup, { address });
    const binary = channel.invoke(m.slow!, [200]);
    // Both calls must be running before the close begins.
    while ((stats.calls["slow"] ?? 0) < 2) await new Promise((resolve) => setTimeout(resolve, 2));
    await server.close({ graceMs: 5000 });
    await ended;
    expect(received).toBe("$9\r\nslept 200\r\n");
    await expect(binary).resolves.toBe("slept 200");
    expect(server.connectionCount).toBe(0);
  });

  it("stops reading new RESP commands once closing, and closes the connection when its calls are done", async () => {
    const { address, server, stats } = await startEchoServer(cleanup);
    const [host, port] = address.split(":");
    const socket = connect({ host: host!, port: Number(port) });
    cleanup.add(() => void socket.destroy());
    let received = "";
    socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
    const ended = new Promise<void>((resolve) => socket.once("end", () => resolve()));
    socket.write("CALL Echo.slow 100\r\n");
    while ((stats.calls["slow"] ?? 0) < 1) await new Promise((resolve) => setTimeout(resolve, 2));
    const closing = server.close({ graceMs: 5000 });
    socket.write("CALL Echo.echo late\r\n");
    await closing;
    await ended;
    expect(received).toBe("$9\r\nslept 100\r\n");
    expect(stats.calls["echo"] ?? 0).toBe(0);
  });
});
