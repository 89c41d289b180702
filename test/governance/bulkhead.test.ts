import { afterEach, describe, expect, it } from "vitest";
import { turnsUntil } from "./helpers/event-loop-turns.js";
import { Bulkhead, Code, createClusterInvoker, RpcError, type ClusterInvoker } from "@rpcgen/runtime";
import { CaptureLogger } from "./helpers/capture-logger.js";
import { MemoryRegistry, provider } from "./helpers/memory-registry.js";
import { TransportBook } from "./helpers/scripted-transport.js";
import { storeService } from "./helpers/test-service.js";

describe("Bulkhead", () => {
  it("admits maxConcurrent calls, queues maxQueue more and rejects the rest at once", async () => {
    const bulkhead = new Bulkhead("Store", { maxConcurrent: 2, maxQueue: 1 });
    const signal = new AbortController().signal;
    const first = await bulkhead.acquire(signal);
    await bulkhead.acquire(signal);
    let thirdAdmitted = false;
    const third = bulkhead.acquire(signal).then((release) => {
      thirdAdmitted = true;
      return release;
    });
    const fourth = await bulkhead.acquire(signal).catch((e: unknown) => e);
    expect(fourth).toBeInstanceOf(RpcError);
    expect((fourth as RpcError).code).toBe(Code.RESOURCE_EXHAUSTED);
    expect((fourth as RpcError).message).toBe(
      "bulkhead of Store is full: 2 calls in flight (max 2) and 1 waiting (max 1)",
    );
    expect(thirdAdmitted).toBe(false);
    first();
    (await third)();
    expect(thirdAdmitted).toBe(true);
    expect(bulkhead.inFlight).toBe(1);
    expect(bulkhead.rejected).toBe(1);
  });

  it("drops a queued call whose signal aborts, with the signal's reason", async () => {
    const bulkhead = new Bulkhead("Store", { maxConcurrent: 1, maxQueue: 5 });
    const release = await bulkhead.acquire(new AbortController().signal);
    const controller = new AbortController();
    const queued = bulkhead.acquire(controller.signal);
    expect(bulkhead.queued).toBe(1);
    controller.abort(new RpcError(Code.DEADLINE_EXCEEDED, "too late"));
    await expect(queued).rejects.toMatchObject({ code: Code.DEADLINE_EXCEEDED });
    expect(bulkhead.queued).toBe(0);
    release();
    expect(bulkhead.inFlight).toBe(0);
  });
});

describe("bulkhead isolation between services", () => {
  const invokers: ClusterInvoker[] = [];
  afterEach(async () => {
    await Promise.all(invokers.splice(0).map((i) => i.close()));
  });

  it("keeps a slow service from starving another one", async () => {
    const registry = new MemoryRegistry();
    registry.setProviders([
      provider({ service: "Slow", address: "slow:1" }),
      provider({ service: "Fast", address: "fast:1" }),
    ]);
    const releaseSlow: Array<() => void> = [];
    const book = new TransportBook((address) =>
      address === "slow:1"
        ? () => new Promise((resolve) => releaseSlow.push(() => resolve("slow done")))
        : async () => "fast done",
    );
    const common = {
      registry,
      transportFactory: book.factory,
      logger: new CaptureLogger(),
      policy: "failfast" as const,
    };
    const slowService = storeService("Slow");
    const fastService = storeService("Fast");
    const slow = createClusterInvoker({ ...common, service: slowService, bulkhead: { maxConcurrent: 4, maxQueue: 4 } });
    const fast = createClusterInvoker({ ...common, service: fastService, bulkhead: { maxConcurrent: 4, maxQueue: 4 } });
    invokers.push(slow, fast);
    await Promise.all([slow.ready(), fast.ready()]);

    const slowCalls = Array.from({ length: 20 }, () =>
      slow.invoke(slowService.methods["read"]!, ["k"]).then(
        () => "ok",
        (e: RpcError) => e.code,
      ),
    );
    // Waves of 8 fill Fast's own bulkhead (4 running + 4 queued) without overflowing it.
    const fastResults: unknown[] = [];
    for (let wave = 0; wave < 10; wave++) {
      fastResults.push(
        ...(await Promise.all(Array.from({ length: 8 }, () => fast.invoke(fastService.methods["read"]!, ["k"])))),
      );
    }
    expect(fastResults.filter((r) => r === "fast done")).toHaveLength(80);
    expect(fast.stats().bulkhead.rejected).toBe(0);
    expect(slow.stats().bulkhead).toEqual({ inFlight: 4, queued: 4, rejected: 12 });

    // Each release lets one queued call in, which then waits for its own release.
    for (let i = 0; i < 8; i++) {
      await turnsUntil(() => releaseSlow.length > 0);
      releaseSlow.shift()!();
    }
    const slowOutcomes = await Promise.all(slowCalls);
    expect(slowOutcomes.filter((o) => o === "ok")).toHaveLength(8);
    expect(slowOutcomes.filter((o) => o === Code.RESOURCE_EXHAUSTED)).toHaveLength(12);
  });
});
