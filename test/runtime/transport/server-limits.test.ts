import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Code, RpcError } from "@rpcgen/runtime";
import { EchoService } from "./fixtures/echo-service.js";
import { Cleanup, openChannel, rejectionOf, startEchoServer } from "./harness.js";

const m = EchoService.methods;
const cleanup = new Cleanup();
afterEach(() => cleanup.run());

function rawConnect(address: string): Promise<Socket> {
  const [host, port] = address.split(":");
  return new Promise((resolve, reject) => {
    const socket = connect({ host: host!, port: Number(port) }, () => resolve(socket));
    socket.on("error", reject);
    cleanup.add(() => void socket.destroy());
  });
}

function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => (socket.closed ? resolve() : socket.once("close", () => resolve())));
}

describe("bad input closes only the offending connection", () => {
  it("closes a connection that sends an oversize frame, logs why, and another connection keeps working", async () => {
    const { address, logger } = await startEchoServer(cleanup, {
      maxFrameBytes: 64 * 1024,
    });
    const bystander = openChannel(cleanup, { address });
    const offender = openChannel(cleanup, {
      address,
      maxFrameBytes: 1024 * 1024,
    });
    await bystander.invoke(m.echo!, ["warm-up"]);
    const inFlight = bystander.invoke(m.slow!, [200]);
    const error = (await rejectionOf(offender.invoke(m.blob!, [new Uint8Array(100_000).fill(1)]))) as RpcError;
    expect(error.code).toBe(Code.RESOURCE_EXHAUSTED);
    await expect(inFlight).resolves.toBe("slept 200");
    await expect(bystander.invoke(m.echo!, ["still here"])).resolves.toBe("still here");
    const warning = logger.entries.find((entry) => entry.level === "warn");
    expect(warning?.fields).toMatchObject({
      reason: "too-large",
      peer: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
    });
  });

  it("closes a connection that sends garbage, logs why, and another connection keeps working", async () => {
    const { address, logger, server } = await startEchoServer(cleanup);
    const bystander = openChannel(cleanup, { address });
    await bystander.invoke(m.echo!, ["warm-up"]);
    const socket = await rawConnect(address);
    socket.resume();
    socket.write(
      Buffer.from([0xb5, 0x01, 0x00, 0x00, 0x00, 0x10, 0xee, 0xee, 0xee, 0xee, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
    );
    await closed(socket);
    // Bytes no protocol of the port starts with: closed before any protocol parses them.
    const other = await rawConnect(address);
    other.resume();
    other.write(Buffer.from([0x07, 0xff, 0x13, 0x37, 0xde, 0xad, 0xbe, 0xef]));
    await closed(other);
    await expect(bystander.invoke(m.echo!, ["still here"])).resolves.toBe("still here");
    const reasons = logger.entries.filter((entry) => entry.level === "warn").map((entry) => entry.fields);
    expect(reasons).toEqual([
      expect.objectContaining({ reason: "malformed" }),
      expect.objectContaining({ firstBytes: "07ff1337deadbeef" }),
    ]);
    expect(server.connectionCount).toBe(1);
  });
});

describe("limits", () => {
  it("refuses connections over maxConnections with RESOURCE_EXHAUSTED while every connection is busy", async () => {
    const { address, stats } = await startEchoServer(cleanup, {
      maxConnections: 1,
    });
    const first = openChannel(cleanup, { address });
    await first.invoke(m.echo!, ["in"]);
    const busy = first.invoke(m.slow!, [300]);
    // The slow call must be running before the newcomer knocks.
    while ((stats.calls.slow ?? 0) === 0) await new Promise((resolve) => setTimeout(resolve, 2));
    const second = openChannel(cleanup, { address });
    const error = (await rejectionOf(second.invoke(m.echo!, ["out"]))) as RpcError;
    expect(error.code).toBe(Code.RESOURCE_EXHAUSTED);
    expect(error.message).toContain("1 connections");
    await expect(busy).resolves.toBeTypeOf("string");
    await expect(first.invoke(m.echo!, ["still in"])).resolves.toBe("still in");
  });

  it("at maxConnections sheds the connection idle longest to serve a new client", async () => {
    const { address, server } = await startEchoServer(cleanup, {
      maxConnections: 2,
    });
    const oldest = openChannel(cleanup, { address });
    await oldest.invoke(m.echo!, ["first"]);
    const newer = openChannel(cleanup, { address });
    await newer.invoke(m.echo!, ["second"]);
    const newcomer = openChannel(cleanup, { address });
    await expect(newcomer.invoke(m.echo!, ["third"])).resolves.toBe("third");
    expect(server.connectionCount).toBe(2);
    // The shed client reconnects on its next call (and sheds the idlest in turn).
    await expect(oldest.invoke(m.echo!, ["back"])).resolves.toBe("back");
  });

  it("holds calls over maxInFlightPerConnection until a running one finishes, then serves them in order", async () => {
    const { address, stats } = await startEchoServer(cleanup, {
      maxInFlightPerConnection: 2,
    });
    const channel = openChannel(cleanup, { address });
    const order: string[] = [];
    const slow = [channel.invoke(m.slow!, [200]), channel.invoke(m.slow!, [200])].map((p) =>
      p.then((value) => (order.push(value as string), value)),
    );
    const third = channel.invoke(m.echo!, ["third"]).then((value) => (order.push(value as string), value));
    await expect(Promise.all([...slow, third])).resolves.toEqual(["slept 200", "slept 200", "third"]);
    // The third call could only start once a slot was free, so it answered after a slow one.
    expect(order.indexOf("third")).toBeGreaterThan(0);
    expect(stats.calls.echo).toBe(1);
  });

  it("serves 10,000 calls sent at once on one connection with the default limit, holding the excess", async () => {
    const { address } = await startEchoServer(cleanup);
    const channel = openChannel(cleanup, { address });
    const calls = Array.from({ length: 10_000 }, (_, i) => channel.invoke(m.echo!, [`call ${i}`]));
    const answers = await Promise.all(calls);
    expect(answers.every((answer, i) => answer === `call ${i}`)).toBe(true);
  });

  it("closes idle connections, both silent sockets and channels without calls", async () => {
    const { address, server } = await startEchoServer(cleanup, {
      idleTimeoutMs: 100,
    });
    const silent = await rawConnect(address);
    const channel = openChannel(cleanup, { address });
    await channel.invoke(m.echo!, ["then nothing"]);
    const disconnected = new Promise((resolve) => channel.once("disconnected", resolve));
    await closed(silent);
    await disconnected;
    expect(server.connectionCount).toBe(0);
  });

  it("does not close a connection whose call outlasts the idle timeout", async () => {
    const { address } = await startEchoServer(cleanup, { idleTimeoutMs: 50 });
    const channel = openChannel(cleanup, { address });
    let goaway = false;
    channel.on("goaway", () => (goaway = true));
    await expect(channel.invoke(m.slow!, [300])).resolves.toBe("slept 300");
    expect(goaway).toBe(false);
  });
});
