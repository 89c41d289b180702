/**
 * Providers that leave under load, with real etcd, real provider processes and
 * real TCP: killed with SIGKILL (failover hides it, failfast loses only the
 * calls that were on the dead provider), or shut down with SIGTERM (deregister,
 * goaway, drain: no call fails under any policy).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { silentLogger, type Policy } from "@rpcgen/runtime";
import { connectInventory, runInventoryLoad } from "../../examples/cluster/client.js";
import { waitForProviders } from "../../examples/cluster/wait-for-providers.js";
import { startEtcd, type EtcdCluster } from "../support/etcd-cluster.js";
import { clusterOn, TEST_TTL_SECONDS, type ClusterFixture } from "./cluster-fixture.js";
import { CallGate, providerStats, waitForStats } from "./invoker-probe.js";

let etcd: EtcdCluster;
let fixture: ClusterFixture | undefined;
beforeAll(async () => {
  etcd = await startEtcd({ members: 1 });
});
afterAll(async () => {
  await etcd?.stop();
});
afterEach(async () => {
  await fixture?.stop();
  fixture = undefined;
});

const ttlMs = TEST_TTL_SECONDS * 1000;

describe("a provider killed with SIGKILL", () => {
  it("is dropped by the client at once and by etcd within the TTL; failover loses no call", async () => {
    fixture = clusterOn(etcd);
    const [victim, ...survivors] = await fixture.addProviders(["1.0.0", "1.1.0", "1.2.0"]);
    const registry = fixture.registry();
    const { client, invoker } = await connectInventory(registry, { policy: "failover", logger: silentLogger });
    const watch = await registry.watch("Inventory");
    expect(watch.providers).toHaveLength(3);

    let callsWhenOpened: number | undefined;
    let attemptsWhileOpen = 0;
    const result = await runInventoryLoad(client, {
      total: 1500,
      concurrency: 24,
      method: "stock",
      delayMs: 2,
      beforeCall: async (index) => {
        if (index === 500) await victim!.stop("SIGKILL");
        const stats = providerStats(invoker, victim!.address);
        if (index <= 500 || stats === undefined) return;
        if (callsWhenOpened === undefined && stats.state !== "closed") callsWhenOpened = stats.calls;
        else if (callsWhenOpened !== undefined) attemptsWhileOpen = stats.calls - callsWhenOpened;
      },
    });
    await invoker.close();

    expect(result.failed).toBe(0);
    expect(result.calls).toBe(1500);
    // The client stopped choosing the dead provider (unreachable after its lost connection
    // and unanswered ping, or breaker open) and nothing was sent to it after that.
    expect(callsWhenOpened).toBeDefined();
    expect(attemptsWhileOpen).toBe(0);
    for (const survivor of survivors) expect(result.byProvider.get(survivor.address)).toBeGreaterThan(0);

    // etcd forgets it once its lease runs out: the bound is the TTL plus slack for a busy machine.
    const left = await waitForProviders(
      watch,
      (list) => !list.some((p) => p.address === victim!.address),
      `${victim!.address} expired`,
      ttlMs + 10_000,
    );
    expect(left.map((p) => p.address).sort()).toEqual(survivors.map((p) => p.address).sort());
    await watch.close();
  });

  it("with failfast fails only the calls that were in flight on it", async () => {
    fixture = clusterOn(etcd);
    const [victim] = await fixture.addProviders(["1.0.0", "1.1.0", "1.2.0"]);
    // failfast never retries, so "only the calls already on it" holds only because the
    // client stops choosing the provider as soon as its connection drops and a ping fails,
    // without waiting for the breaker to count failed calls (default breaker settings here).
    const { client, invoker } = await connectInventory(fixture.registry(), {
      policy: "failfast",
      logger: silentLogger,
    });
    const gate = new CallGate();
    let inFlightAtKill = -1;
    const result = await runInventoryLoad(client, {
      total: 1200,
      concurrency: 30,
      method: "stock",
      delayMs: 20,
      beforeCall: async (index) => {
        if (index === 400) {
          // Stop issuing calls, kill, and let the client see the connection drop before going on.
          gate.close();
          // Calls that passed the gate reach their provider within this turn's microtasks.
          await new Promise((resolve) => setImmediate(resolve));
          inFlightAtKill = providerStats(invoker, victim!.address)!.inFlight;
          await victim!.stop("SIGKILL");
          await waitForStats(invoker, victim!.address, (s) => s === undefined || s.inFlight === 0, "no call in flight");
          // The lost connection makes the client ping the provider at once; no answer makes it unreachable.
          await waitForStats(
            invoker,
            victim!.address,
            (s) => s === undefined || s.state === "unreachable" || s.state === "breaker-open",
            "unreachable",
          );
          gate.open();
        }
        await gate.pass();
      },
    });
    await invoker.close();

    expect(inFlightAtKill).toBeGreaterThanOrEqual(0);
    expect(result.failed).toBeLessThanOrEqual(inFlightAtKill);
    expect(result.calls).toBe(1200);
    for (const code of result.errors.keys()) expect(code).toBe("UNAVAILABLE");
  });
});

describe("a provider shut down gracefully (SIGTERM: deregister, goaway, drain)", () => {
  const policies: Policy[] = ["failfast", "failover", "failtry", "failsafe", "forking"];
  it.each(policies)("loses no call under %s, not even a non-idempotent one", async (policy) => {
    fixture = clusterOn(etcd);
    const [leaving, ...staying] = await fixture.addProviders(["1.0.0", "1.1.0", "1.2.0"]);
    const { client, invoker } = await connectInventory(fixture.registry(), { policy, logger: silentLogger });
    let exitCode: number | null | undefined;
    const result = await runInventoryLoad(client, {
      total: 600,
      concurrency: 24,
      method: "reserve",
      delayMs: 5,
      beforeCall: (index) => {
        if (index === 200) void leaving!.stop("SIGTERM").then((code) => (exitCode = code));
      },
    });
    await leaving!.exited;
    await invoker.close();

    expect(result.errors).toEqual(new Map());
    expect(result.failed).toBe(0);
    expect(result.calls).toBe(600);
    expect(exitCode).toBe(0);
    // Under failsafe a lost call would come back as undefined instead of failing: none did.
    const answered = [...result.byProvider.values()].reduce((a, b) => a + b, 0);
    expect(answered).toBe(600);
    expect(result.byProvider.get(leaving!.address)).toBeGreaterThan(0);
    for (const provider of staying) expect(result.byProvider.get(provider.address)).toBeGreaterThan(0);
  });
});
