/**
 * How far a call got when its connection failed, over real TCP. A Channel says
 * "never sent" when the connection could not be made and "lost before the call
 * was answered" when it died after the call was written; a cluster invoker
 * sends the first elsewhere for any method, the second only for idempotent ones.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createServer, type Socket } from "node:net";
import { Channel, Code, ConnectionLostError, createClusterInvoker, DirectRegistry, RpcError, Server, silentLogger, type BalancedEndpoint, type ClusterInvoker, type LoadBalancer } from "@rpcgen/runtime";
import { storeService } from "./helpers/test-service.js";

const store = storeService("Store");
const read = store.methods["read"]!;
const put = store.methods["put"]!;

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanups.splice(0).reverse()) await step();
});

/** An address nothing listens on: bind port 0, note it, close it. */
async function deadAddress(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${port}`;
}

/** A peer that accepts connections and resets each one as soon as bytes arrive on it. */
async function resettingPeer(): Promise<{ address: string; bytesReceived: () => number }> {
  let bytes = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    socket.once("data", (chunk) => {
      bytes += chunk.length;
      socket.resetAndDestroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  const { port } = server.address() as { port: number };
  return { address: `127.0.0.1:${port}`, bytesReceived: () => bytes };
}

/** A real Server for Store on port 0 that answers `live:<key>`. */
async function liveProvider(): Promise<string> {
  const server = new Server({ logger: silentLogger });
  const answer = async (key: string) => `live:${key}`;
  server.addService(store, { get: answer, put: answer, read: answer });
  const { host, port } = await server.listen({ host: "127.0.0.1", port: 0 });
  cleanups.push(() => server.close({ graceMs: 0 }));
  return `${host}:${port}`;
}

/** Sends every first attempt to `address` while it can take calls: decides where a call fails. */
function preferring(address: string): LoadBalancer {
  return {
    name: "random", // only a label in stats
    pick<E extends BalancedEndpoint>(candidates: readonly E[]): E {
      return candidates.find((c) => c.key === address) ?? candidates[0]!;
    },
  };
}

function openChannel(address: string): Channel {
  const channel = new Channel({ address, logger: silentLogger });
  cleanups.push(async () => channel.destroy());
  return channel;
}

async function clusterOf(addresses: readonly string[], first: string): Promise<ClusterInvoker> {
  const registry = new DirectRegistry([], { logger: silentLogger });
  for (const address of addresses) {
    await registry.register({ service: "Store", version: "1.0.0", address, weight: 100, metadata: {} });
  }
  const invoker = createClusterInvoker({
    service: store,
    registry,
    balancer: preferring(first),
    policy: "failover",
    retries: 2,
    logger: silentLogger,
  });
  cleanups.push(async () => {
    await invoker.close();
    await registry.close();
  });
  await invoker.ready();
  return invoker;
}

describe("a Channel says how far a call got when its connection failed", () => {
  it("never sent: the connection was refused, and while the reconnect backoff lasts", async () => {
    const dead = await deadAddress();
    const channel = openChannel(dead);
    for (let i = 0; i < 2; i++) {
      const error = await channel.invoke(read, ["k"]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectionLostError);
      expect((error as ConnectionLostError).delivery).toBe("never-sent");
      expect((error as ConnectionLostError).code).toBe(Code.UNAVAILABLE);
      expect((error as ConnectionLostError).message).toMatch(new RegExp(`^call never sent to ${dead}: `));
    }
  });

  it("unanswered: the call was written, then the peer reset the connection", async () => {
    const peer = await resettingPeer();
    const error = await openChannel(peer.address)
      .invoke(read, ["k"])
      .catch((e: unknown) => e);
    expect(peer.bytesReceived()).toBeGreaterThan(0);
    expect(error).toBeInstanceOf(ConnectionLostError);
    expect((error as ConnectionLostError).delivery).toBe("unanswered");
    expect((error as ConnectionLostError).message).toMatch(
      new RegExp(`^connection to ${peer.address} lost before the call was answered: `),
    );
  });
});

describe("a cluster invoker over real TCP", () => {
  it("sends a non-idempotent call that was never sent to another provider", async () => {
    const dead = await deadAddress();
    const invoker = await clusterOf([dead, await liveProvider()], dead);
    await expect(invoker.invoke(put, ["k"])).resolves.toBe("live:k");
    expect(invoker.stats()).toMatchObject({ requeues: 1, retries: 0 });
  });

  it("requeues an idempotent call lost after it was written, and fails a non-idempotent one saying why", async () => {
    const peer = await resettingPeer();
    const invoker = await clusterOf([peer.address, await liveProvider()], peer.address);
    const error = await invoker.invoke(put, ["k"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe(Code.UNAVAILABLE);
    expect((error as RpcError).message).toBe(
      `Store.put failed: [${peer.address}] UNAVAILABLE: connection to ${peer.address} lost before the call was ` +
        `answered: read ECONNRESET (retry not attempted: Store.put is not idempotent)`,
    );
    expect(invoker.stats().requeues).toBe(0);

    const again = await clusterOf([peer.address, await liveProvider()], peer.address);
    await expect(again.invoke(read, ["k"])).resolves.toBe("live:k");
    expect(again.stats()).toMatchObject({ requeues: 1, retries: 0 });
  });
});
