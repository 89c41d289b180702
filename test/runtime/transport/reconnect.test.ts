import { spawn } from "node:child_process";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Channel, Code, RpcError, Server, silentLogger } from "@rpcgen/runtime";
import { echoHandler, EchoService } from "./fixtures/echo-service.js";
import { Cleanup, openChannel, rejectionOf } from "./harness.js";

const m = EchoService.methods;
const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** A port that was just free: a server listened on it and closed. */
async function freedPort(): Promise<number> {
  const probe = new Server({ logger: silentLogger });
  const { port } = await probe.listen({ host: "127.0.0.1", port: 0 });
  await probe.close({ graceMs: 0 });
  return port;
}

async function serveOn(port: number): Promise<Server> {
  const server = new Server({ logger: silentLogger });
  server.addService(EchoService, echoHandler());
  await server.listen({ host: "127.0.0.1", port });
  cleanup.add(() => server.close({ graceMs: 0 }));
  return server;
}

describe("reconnecting", () => {
  it("fails fast during the backoff after a failed connect, keeping the cause", async () => {
    const port = await freedPort();
    const channel = openChannel(cleanup, {
      address: `127.0.0.1:${port}`,
      reconnect: { baseMs: 60_000, maxMs: 60_000 },
    });
    const first = (await rejectionOf(channel.invoke(m.echo!, ["x"]))) as RpcError;
    expect(first.code).toBe(Code.UNAVAILABLE);
    await serveOn(port);
    // The server is back, but the channel does not retry before its backoff ends.
    const second = (await rejectionOf(channel.invoke(m.echo!, ["x"]))) as RpcError;
    expect(second.code).toBe(Code.UNAVAILABLE);
    expect(second.message).toMatch(/next reconnect attempt in \d+ ms/);
    expect(((second.cause as RpcError).cause as NodeJS.ErrnoException).code).toBe("ECONNREFUSED");
  });

  it("reconnects once the backoff has passed", async () => {
    const port = await freedPort();
    const channel = openChannel(cleanup, {
      address: `127.0.0.1:${port}`,
      reconnect: { baseMs: 20, maxMs: 40 },
    });
    const connected: string[] = [];
    channel.on("connected", (address) => connected.push(address));
    await rejectionOf(channel.invoke(m.echo!, ["x"]));
    await serveOn(port);
    let result: unknown;
    // Bounded: the backoff is at most 40 ms, so a handful of tries suffice.
    for (let attempt = 0; attempt < 200 && result === undefined; attempt++) {
      try {
        result = await channel.invoke(m.echo!, ["back"]);
      } catch (error) {
        expect((error as RpcError).code).toBe(Code.UNAVAILABLE);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
    expect(result).toBe("back");
    expect(connected).toEqual([`127.0.0.1:${port}`]);
  });

  it("reports a connect that takes too long as UNAVAILABLE", async () => {
    // A listener with a backlog of 0 that never accepts: once one connection fills
    // the queue, the kernel drops further SYNs and a connect hangs. Node always
    // accepts, so the listener is a small Python process.
    const listener = spawn("python3", [
      "-c",
      "import socket,sys\ns=socket.socket();s.bind(('127.0.0.1',0));s.listen(0)\nprint(s.getsockname()[1],flush=True)\nsys.stdin.read()",
    ]);
    cleanup.add(() => void listener.kill());
    const port = await new Promise<number>((resolve) =>
      listener.stdout.once("data", (d) => resolve(Number(String(d)))),
    );
    const filler = connect({ host: "127.0.0.1", port });
    filler.on("error", () => {});
    cleanup.add(() => void filler.destroy());
    await new Promise((resolve) => filler.once("connect", resolve));
    const channel = openChannel(cleanup, {
      address: `127.0.0.1:${port}`,
      connectTimeoutMs: 100,
    });
    const error = (await rejectionOf(channel.invoke(m.echo!, ["x"], { timeoutMs: 10_000 }))) as RpcError;
    expect(error.code).toBe(Code.UNAVAILABLE);
    expect(error.message).toContain("timed out after 100 ms");
  });
});

describe("channel options", () => {
  it("rejects a malformed address, pool size or codec with a clear TypeError", () => {
    expect(() => new Channel({ address: "localhost" })).toThrow(/invalid address "localhost"/);
    expect(() => new Channel({ address: "127.0.0.1:99999" })).toThrow(/invalid address/);
    expect(() => new Channel({ address: "127.0.0.1:1", poolSize: 0 })).toThrow(/poolSize/);
    expect(() => new Channel({ address: "127.0.0.1:1", codec: "xml" as "json" })).toThrow(/unknown codec "xml"/);
    expect(() => new Channel({ address: "[::1]:9090" })).not.toThrow();
  });
});
