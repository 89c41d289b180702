import { afterEach, describe, expect, it, vi } from "vitest";
import { turnsUntil } from "./helpers/event-loop-turns.js";
import { Code, createClusterInvoker, RpcError, seededRandom } from "@rpcgen/runtime";
import { answer, startCluster, type ClusterFixture } from "./helpers/cluster-fixture.js";
import { CaptureLogger } from "./helpers/capture-logger.js";
import { MemoryRegistry, provider } from "./helpers/memory-registry.js";
import { TransportBook } from "./helpers/scripted-transport.js";
import { storeService } from "./helpers/test-service.js";

const service = storeService();
const read = service.methods["read"]!;
const get = service.methods["get"]!;

let fixture: ClusterFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

async function cluster(versions: Record<string, string>, versionRange?: string) {
  const registry = new MemoryRegistry();
  registry.setProviders(Object.entries(versions).map(([address, version]) => provider({ address, version })));
  const book = new TransportBook((address) => answer(address));
  const invoker = createClusterInvoker({
    service,
    registry,
    versionRange,
    transportFactory: book.factory,
    logger: new CaptureLogger(),
    random: seededRandom(9),
  });
  await invoker.ready();
  fixture = { invoker, registry, book, logger: new CaptureLogger(), close: async () => invoker.close() };
  return fixture;
}

describe("version ranges", () => {
  it("sends calls only to providers whose version is in the range", async () => {
    const f = await cluster({ "v1:1": "1.0.0", "v15:1": "1.5.2", "v2:1": "2.0.0", "pre:1": "2.0.0-rc.1" }, ">=1.0 <2");
    const seen = new Set<unknown>();
    for (let i = 0; i < 200; i++) seen.add(await f.invoker.invoke(read, ["k"]));
    expect(seen).toEqual(new Set(["v1:1", "v15:1"]));
    expect(f.book.byAddress.has("v2:1")).toBe(false);
  });

  it("reports no match as UNAVAILABLE naming the service, the range and the versions seen", async () => {
    const f = await cluster({ "a:1": "2.0.0", "b:1": "1.0.0", "c:1": "1.0.0" }, "^3.1");
    const error = (await f.invoker.invoke(read, ["k"]).catch((e: unknown) => e)) as RpcError;
    expect(error).toBeInstanceOf(RpcError);
    expect(error.code).toBe(Code.UNAVAILABLE);
    expect(error.message).toBe('no provider of Store matches version range "^3.1"; versions seen: 1.0.0, 2.0.0');
  });

  it("reports a service nobody provides", async () => {
    const f = await cluster({});
    await expect(f.invoker.invoke(read, ["k"])).rejects.toThrow("no providers of Store are registered");
  });

  it("refuses an invalid range when the client is created", () => {
    expect(() =>
      createClusterInvoker({
        service,
        registry: new MemoryRegistry(),
        versionRange: ">=1.x.y.z <",
        transportFactory: new TransportBook(() => answer(1)).factory,
      }),
    ).toThrow('invalid version range ">=1.x.y.z <" for service Store');
  });
});

describe("registry changes", () => {
  it("starts using a provider that joins and drains one that leaves", async () => {
    let finishSlow!: () => void;
    fixture = await startCluster(["a:1"], (address) =>
      address === "a:1" ? () => new Promise((resolve) => (finishSlow = () => resolve("a late"))) : answer(address),
    );
    const pending = fixture.invoker.invoke(read, ["k"]);
    await turnsUntil(() => fixture!.book.callCount("a:1") > 0);
    fixture.registry.setProviders([provider({ address: "b:1" })]);
    const a = fixture.book.get("a:1");
    for (let i = 0; i < 10; i++) await expect(fixture.invoker.invoke(read, ["k"])).resolves.toBe("b:1");
    expect(a.calls).toHaveLength(1);
    // Closed only after its call in flight has finished.
    expect(a.closed).toBe(false);
    finishSlow();
    await expect(pending).resolves.toBe("a late");
    await turnsUntil(() => a.closed);
    expect(fixture.invoker.stats().providers.map((p) => p.address)).toEqual(["b:1"]);
  });

  it("sends no new calls to a provider after its goaway, and uses it again once it reconnects", async () => {
    fixture = await startCluster(["a:1", "b:1"], (address) => answer(address), {
      balancer: "round-robin",
      breaker: { probeIntervalMs: 60_000 },
    });
    fixture.book.get("a:1").emit("goaway", "a:1");
    expect(fixture.invoker.stats().providers[0]!.state).toBe("draining");
    for (let i = 0; i < 6; i++) await expect(fixture.invoker.invoke(read, ["k"])).resolves.toBe("b:1");
    fixture.book.get("a:1").emit("connected", "a:1");
    const seen = new Set<unknown>();
    for (let i = 0; i < 6; i++) seen.add(await fixture.invoker.invoke(read, ["k"]));
    expect(seen).toEqual(new Set(["a:1", "b:1"]));
  });

  it("takes a draining provider back once a probe reaches it again", async () => {
    fixture = await startCluster(["a:1", "b:1"], (address) => answer(address), {
      balancer: "round-robin",
      breaker: { probeIntervalMs: 5 },
    });
    const a = fixture.book.get("a:1");
    a.pingOk = false;
    a.emit("goaway", "a:1");
    for (let i = 0; i < 4; i++) await expect(fixture.invoker.invoke(read, ["k"])).resolves.toBe("b:1");
    a.pingOk = true;
    await vi.waitFor(() => expect(fixture!.invoker.stats().providers[0]!.state).toBe("closed"), {
      timeout: 5_000,
      interval: 5,
    });
    expect(a.pings).toBeGreaterThan(0);
  });

  it("closes every transport when the invoker closes", async () => {
    fixture = await startCluster(["a:1", "b:1"], (address) => answer(address));
    await fixture.invoker.close();
    expect([...fixture.book.byAddress.values()].every((t) => t.closed)).toBe(true);
    await expect(fixture.invoker.invoke(read, ["k"])).rejects.toThrow("client of Store is closed");
  });
});

describe("consistent hashing through the invoker", () => {
  it("routes by the rpc.routekey argument, and CallOptions.routeKey overrides it", async () => {
    fixture = await startCluster(["a:1", "b:1", "c:1", "d:1"], (address) => answer(address), {
      balancer: "consistent-hash",
    });
    const owners = new Map<string, unknown>();
    for (let i = 0; i < 50; i++) owners.set(`user-${i}`, await fixture.invoker.invoke(get, [`user-${i}`]));
    for (let round = 0; round < 3; round++) {
      for (const [key, owner] of owners) await expect(fixture.invoker.invoke(get, [key])).resolves.toBe(owner);
    }
    expect(new Set(owners.values()).size).toBeGreaterThan(1);
    const target = owners.get("user-7");
    for (let i = 0; i < 20; i++) {
      await expect(fixture.invoker.invoke(get, [`other-${i}`], { routeKey: "user-7" })).resolves.toBe(target);
    }
    // The transport also receives the key, for providers that shard by it.
    expect(fixture.book.get(target as string).calls.at(-1)!.options!.routeKey).toBe("user-7");
  });
});

describe("options given in code", () => {
  it("are checked at creation, every problem named", () => {
    const registry = new MemoryRegistry();
    expect(() =>
      createClusterInvoker({
        service,
        registry,
        retries: -1,
        bulkhead: { maxConcurrent: 0 },
        breaker: { errorRatio: 5 },
        methods: { reed: { retries: 1 } },
        transportFactory: new TransportBook(() => answer(1)).factory,
      }),
    ).toThrow(
      "ClusterInvoker options for Store: retries: expected a whole number ≥ 0, got -1; " +
        "bulkhead.maxConcurrent: expected a whole number ≥ 1, got 0; " +
        "breaker.errorRatio: expected a ratio between 0 and 1, got 5; methods.reed: Store has no method reed",
    );
  });
});

describe("latency-aware balancing through the invoker", () => {
  it("feeds observed latency to p2c, which then avoids the slow provider", async () => {
    let clock = 0;
    const cost: Record<string, number> = { "fast:1": 2, "mid:1": 10, "slow:1": 80 };
    fixture = await startCluster(
      ["fast:1", "mid:1", "slow:1"],
      (address) => async () => {
        clock += cost[address]!;
        return address;
      },
      { balancer: "p2c-latency", now: () => clock },
    );
    for (let i = 0; i < 300; i++) await fixture.invoker.invoke(read, ["k"]);
    const calls = Object.fromEntries(fixture.invoker.stats().providers.map((p) => [p.address, p.calls]));
    const latency = Object.fromEntries(fixture.invoker.stats().providers.map((p) => [p.address, p.latencyEwmaMs]));
    expect(latency).toEqual({ "fast:1": 2, "mid:1": 10, "slow:1": 80 });
    // Once measured, the slowest provider can never win a pair; only its first (unmeasured) call reaches it.
    expect(calls["slow:1"]).toBe(1);
    expect(calls["fast:1"]).toBeGreaterThan(calls["mid:1"]!);
  });
});

describe("a registry that cannot be reached", () => {
  it("fails calls with UNAVAILABLE carrying the registry's error", async () => {
    const registry = new MemoryRegistry();
    const outage = new Error("etcd unreachable");
    registry.watch = async () => {
      throw outage;
    };
    const invoker = createClusterInvoker({
      service,
      registry,
      transportFactory: new TransportBook(() => answer(1)).factory,
      logger: new CaptureLogger(),
    });
    await expect(invoker.ready()).rejects.toBe(outage);
    const error = (await invoker.invoke(read, ["k"]).catch((e: unknown) => e)) as RpcError;
    expect(error).toBeInstanceOf(RpcError);
    expect(error.code).toBe(Code.UNAVAILABLE);
    expect(error.message).toBe("cannot discover providers of Store");
    expect(error.cause).toBe(outage);
    await invoker.close();
  });
});
