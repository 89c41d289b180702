import { afterEach, describe, expect, it, vi } from "vitest";
import { createServer } from "node:net";
import { Code, createClusterInvoker, DirectRegistry, RpcError, Server, silentLogger, type CallContext, type ClusterInvoker, type ClusterInvokerOptions, type Registration } from "@rpcgen/runtime";
import { storeService } from "./helpers/test-service.js";

/*
 * The governed client over real TCP: real Servers on port 0, real Channels
 * (the invoker's default transport), a DirectRegistry they register with.
 */

const store = storeService("Store");
const read = store.methods["read"]!;
const put = store.methods["put"]!;

interface Provider {
  server: Server;
  address: string;
  served: number;
  registration: Registration;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanups.splice(0).reverse()) await step();
});

function track<T extends { close(): Promise<void> }>(thing: T): T {
  cleanups.push(() => thing.close());
  return thing;
}

async function startProvider(registry: DirectRegistry, name: string, slow?: Promise<void>): Promise<Provider> {
  const server = new Server({ logger: silentLogger });
  const provider = { server, address: "", served: 0, registration: undefined as unknown as Registration };
  const answer = async (key: string, _context: CallContext) => {
    provider.served += 1;
    if (slow !== undefined) await slow;
    return `${name}:${key}`;
  };
  server.addService(store, { get: answer, put: answer, read: answer });
  const { host, port } = await server.listen({ host: "127.0.0.1", port: 0 });
  provider.address = `${host}:${port}`;
  cleanups.push(() => server.close({ graceMs: 0 }));
  provider.registration = await registry.register({
    service: "Store",
    version: "1.4.0",
    address: provider.address,
    weight: 100,
    metadata: {},
  });
  return provider;
}

/** An address nothing listens on: bind port 0, note it, close it. */
async function deadAddress(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `127.0.0.1:${port}`;
}

function invoker(registry: DirectRegistry, options: Partial<ClusterInvokerOptions> = {}): ClusterInvoker {
  return track(
    createClusterInvoker({ service: store, registry, logger: silentLogger, versionRange: "^1.2", ...options }),
  );
}

describe("ClusterInvoker over TCP", () => {
  it("balances calls over real providers in the version range", async () => {
    const registry = track(new DirectRegistry([], { logger: silentLogger }));
    const providers = await Promise.all(["a", "b", "c"].map((name) => startProvider(registry, name)));
    await registry.register({
      service: "Store",
      version: "2.0.0",
      address: await deadAddress(),
      weight: 100,
      metadata: {},
    });
    const client = invoker(registry, { balancer: "round-robin" });
    const answers = [];
    for (let i = 0; i < 30; i++) answers.push(await client.invoke(read, [`k${i}`]));
    expect(providers.map((p) => p.served)).toEqual([10, 10, 10]);
    expect(new Set(answers.map((a) => String(a).split(":")[0]))).toEqual(new Set(["a", "b", "c"]));
    expect(client.stats().providers).toHaveLength(3);
  });

  it("fails over from a dead provider and stops calling it", async () => {
    const registry = track(new DirectRegistry([], { logger: silentLogger }));
    const live = await startProvider(registry, "live");
    const dead = await deadAddress();
    await registry.register({ service: "Store", version: "1.4.0", address: dead, weight: 100, metadata: {} });
    const client = invoker(registry, {
      policy: "failover",
      retries: 2,
      breaker: { maxErrorCount: 2, probeIntervalMs: 60_000 },
    });
    for (let i = 0; i < 20; i++) await expect(client.invoke(read, ["k"])).resolves.toBe("live:k");
    expect(live.served).toBe(20);
    const deadStats = client.stats().providers.find((p) => p.address === dead)!;
    // Either its breaker opened (maxErrorCount failures) or its refused connection and
    // unanswered ping made it unreachable first; both keep every later call away from it.
    expect(["breaker-open", "unreachable"]).toContain(deadStats.state);
    expect(deadStats.failures).toBeGreaterThanOrEqual(1);
    expect(deadStats.failures).toBeLessThanOrEqual(2);
  });

  it("does not retry a non-idempotent call that hit a dead provider", async () => {
    const registry = track(new DirectRegistry([], { logger: silentLogger }));
    await registry.register({
      service: "Store",
      version: "1.4.0",
      address: await deadAddress(),
      weight: 100,
      metadata: {},
    });
    const client = invoker(registry, { policy: "failover", retries: 3 });
    const error = await client.invoke(put, ["k"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe(Code.UNAVAILABLE);
    expect(client.stats().providers[0]!.calls).toBe(1);
  });

  it("stops calling a provider that deregisters and closes its connection", async () => {
    const registry = track(new DirectRegistry([], { logger: silentLogger }));
    const leaving = await startProvider(registry, "leaving");
    const staying = await startProvider(registry, "staying");
    const client = invoker(registry, { balancer: "round-robin" });
    for (let i = 0; i < 4; i++) await client.invoke(read, ["k"]);
    expect(leaving.served).toBe(2);
    await leaving.registration.deregister();
    for (let i = 0; i < 6; i++) await expect(client.invoke(read, ["k"])).resolves.toBe("staying:k");
    expect(leaving.served).toBe(2);
    await vi.waitFor(() => expect(leaving.server.connectionCount).toBe(0), { timeout: 5_000, interval: 5 });
  });

  it("moves calls off a provider that shuts down gracefully (goaway)", async () => {
    const registry = track(new DirectRegistry([], { logger: silentLogger }));
    const closing = await startProvider(registry, "closing");
    const other = await startProvider(registry, "other");
    const client = invoker(registry, { balancer: "round-robin", policy: "failover", retries: 2, idempotent: true });
    for (let i = 0; i < 4; i++) await client.invoke(read, ["k"]);
    await closing.server.close({ graceMs: 1_000 });
    await vi.waitFor(
      () => expect(client.stats().providers.find((p) => p.address === closing.address)!.state).not.toBe("closed"),
      {
        timeout: 5_000,
        interval: 5,
      },
    );
    for (let i = 0; i < 6; i++) await expect(client.invoke(read, ["k"])).resolves.toBe("other:k");
    expect(other.served).toBe(8);
  });

  it("takes a provider back when a server restarts on the same address (static registry)", async () => {
    const registry = track(new DirectRegistry([], { logger: silentLogger }));
    const first = await startProvider(registry, "first");
    const other = await startProvider(registry, "other");
    const client = invoker(registry, { balancer: "round-robin", breaker: { probeIntervalMs: 10 } });
    for (let i = 0; i < 4; i++) await client.invoke(read, ["k"]);
    await first.server.close({ graceMs: 1_000 });
    const stateOfFirst = () => client.stats().providers.find((p) => p.address === first.address)!.state;
    await vi.waitFor(() => expect(stateOfFirst()).not.toBe("closed"), { timeout: 5_000, interval: 5 });
    for (let i = 0; i < 4; i++) await expect(client.invoke(read, ["k"])).resolves.toBe("other:k");

    // A new server on the same port: same registry entry, reached again by the probes.
    const restarted = new Server({ logger: silentLogger });
    const served: string[] = [];
    const handler = async (key: string) => {
      served.push(key);
      return `restarted:${key}`;
    };
    restarted.addService(store, { get: handler, put: handler, read: handler });
    const [host, port] = first.address.split(":");
    await restarted.listen({ host, port: Number(port) });
    cleanups.push(() => restarted.close({ graceMs: 0 }));
    await vi.waitFor(() => expect(stateOfFirst()).toBe("closed"), { timeout: 10_000, interval: 10 });
    const answers = new Set<unknown>();
    for (let i = 0; i < 4; i++) answers.add(await client.invoke(read, ["k"]));
    expect(answers).toEqual(new Set(["restarted:k", "other:k"]));
    expect(other.served).toBeGreaterThan(4);
  });

  it("keeps one slow service from starving another on the same server", async () => {
    const registry = track(new DirectRegistry([], { logger: silentLogger }));
    let releaseSlow!: () => void;
    const slowGate = new Promise<void>((resolve) => (releaseSlow = resolve));
    const slowService = storeService("Slow");
    const fastService = storeService("Fast");
    const server = new Server({ logger: silentLogger });
    const slowHandler = async (key: string) => {
      await slowGate;
      return `slow:${key}`;
    };
    const fastHandler = async (key: string) => `fast:${key}`;
    server.addService(slowService, { get: slowHandler, put: slowHandler, read: slowHandler });
    server.addService(fastService, { get: fastHandler, put: fastHandler, read: fastHandler });
    const { host, port } = await server.listen({ host: "127.0.0.1", port: 0 });
    cleanups.push(() => server.close({ graceMs: 0 }));
    for (const name of ["Slow", "Fast"]) {
      await registry.register({
        service: name,
        version: "1.4.0",
        address: `${host}:${port}`,
        weight: 100,
        metadata: {},
      });
    }
    const bulkhead = { maxConcurrent: 5, maxQueue: 5 };
    const slow = invoker(registry, { service: slowService, bulkhead, policy: "failfast" });
    const fast = invoker(registry, { service: fastService, bulkhead, policy: "failfast" });

    const slowCalls = Array.from({ length: 30 }, (_, i) =>
      slow.invoke(slowService.methods["read"]!, [`s${i}`]).then(
        () => "ok",
        (e: RpcError) => e.code,
      ),
    );
    let fastDone = 0;
    for (let i = 0; i < 40; i++) {
      await expect(fast.invoke(fastService.methods["read"]!, [`f${i}`])).resolves.toBe(`fast:f${i}`);
      fastDone += 1;
    }
    expect(fastDone).toBe(40);
    expect(slow.stats().bulkhead).toMatchObject({ inFlight: 5, queued: 5, rejected: 20 });
    releaseSlow();
    const outcomes = await Promise.all(slowCalls);
    expect(outcomes.filter((o) => o === "ok")).toHaveLength(10);
    expect(outcomes.filter((o) => o === Code.RESOURCE_EXHAUSTED)).toHaveLength(20);
  });
});
