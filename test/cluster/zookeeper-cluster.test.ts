/**
 * The cluster on ZooKeeper, with real provider processes (examples/cluster/provider.ts
 * --zookeeper) and real TCP: a provider killed with SIGKILL under load, ZooKeeper
 * restarted under load, and one member of a three-server ensemble killed under load.
 * Calls go on from the last known provider list: none may fail.
 */
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger, ZooKeeperRegistry, type ProviderInfo } from "@rpcgen/runtime";
import { connectInventory, runInventoryLoad } from "../../examples/cluster/client.js";
import { startProvider, type ProviderProcess } from "../../examples/cluster/provider-process.js";
import { waitForProviders } from "../../examples/cluster/wait-for-providers.js";
import { startZooKeeper, type ZooKeeperEnsemble } from "../support/zookeeper-server.js";

const sessionTimeoutSeconds = 2;
let zookeeper: ZooKeeperEnsemble | undefined;
const providers: ProviderProcess[] = [];
const registries: ZooKeeperRegistry[] = [];

afterEach(async () => {
  await Promise.all(providers.splice(0).map((provider) => provider.stop("SIGKILL")));
  for (const registry of registries.splice(0)) await registry.close();
  await zookeeper?.stop();
  zookeeper = undefined;
});

async function addProviders(ensemble: ZooKeeperEnsemble, versions: readonly string[]): Promise<ProviderProcess[]> {
  const started = await Promise.all(
    versions.map((version) =>
      startProvider({ version, zookeeper: ensemble.servers, ttlSeconds: sessionTimeoutSeconds, graceMs: 5_000 }),
    ),
  );
  providers.push(...started);
  return started;
}

function clientRegistry(ensemble: ZooKeeperEnsemble): ZooKeeperRegistry {
  const registry = new ZooKeeperRegistry({
    servers: ensemble.servers,
    sessionTimeoutMs: sessionTimeoutSeconds * 1000,
    logger: silentLogger,
  });
  registries.push(registry);
  return registry;
}

const has = (address: string) => (list: readonly ProviderInfo[]) => list.some((p) => p.address === address);

describe("a provider killed with SIGKILL, discovered through ZooKeeper", () => {
  it("fails no call, leaves the list when its session expires, and is never called again", async () => {
    zookeeper = await startZooKeeper({ servers: 1 });
    const [victim, ...survivors] = await addProviders(zookeeper, ["1.0.0", "1.1.0", "1.2.0"]);
    const registry = clientRegistry(zookeeper);
    const { client, invoker } = await connectInventory(registry, { policy: "failover", logger: silentLogger });
    const watch = await registry.watch("Inventory");
    expect(watch.providers).toHaveLength(3);

    let killedAt = 0;
    const gone = waitForProviders(
      watch,
      (list) => !has(victim!.address)(list),
      "the killed provider gone",
      20_000,
    ).then(() => Date.now() - killedAt);
    const result = await runInventoryLoad(client, {
      total: 1200,
      concurrency: 16,
      method: "stock",
      delayMs: 2,
      beforeCall: async (index) => {
        if (index !== 400) return;
        killedAt = Date.now();
        await victim!.stop("SIGKILL");
      },
    });
    expect(result.failed).toBe(0);
    const leftAfterMs = await gone;
    console.log(
      `[zookeeper] kill -9 of a provider under load: 0 of ${result.calls} calls failed; it left the client's list ${leftAfterMs} ms after the kill (session timeout ${sessionTimeoutSeconds} s)`,
    );
    const after = await runInventoryLoad(client, { total: 300, concurrency: 8, method: "stock" });
    expect(after.failed).toBe(0);
    expect(after.byProvider.has(victim!.address)).toBe(false);
    expect([...after.byProvider.keys()].sort()).toEqual(survivors.map((p) => p.address).sort());
    await watch.close();
    await invoker.close();
  });
});

describe("ZooKeeper restarted while calls flow", () => {
  it("fails no call; sessions resume and later changes are seen", async () => {
    zookeeper = await startZooKeeper({ servers: 1 });
    const ensemble = zookeeper;
    await addProviders(ensemble, ["1.0.0", "1.1.0"]);
    const registry = clientRegistry(ensemble);
    const { client, invoker } = await connectInventory(registry, { logger: silentLogger });
    const watch = await registry.watch("Inventory");

    // Down and up twice (a clean stop, then a crash) while calls go on in bounded batches;
    // each outage lasts until two batches of calls have been made without ZooKeeper.
    let batches = 0;
    const restarts = (async () => {
      for (const signal of ["SIGTERM", "SIGKILL"] as const) {
        await ensemble.stopServer(0, signal);
        const target = batches + 2;
        while (batches < target) await new Promise((resolve) => setTimeout(resolve, 20));
        await ensemble.startServer(0);
      }
    })();
    let restartsOver = false;
    void restarts.finally(() => (restartsOver = true)).catch(() => {});
    let calls = 0;
    for (let batch = 0; batch < 400 && (batch === 0 || !restartsOver); batch++) {
      const result = await runInventoryLoad(client, { total: 100, concurrency: 8, method: "reserve", delayMs: 1 });
      expect(result.errors).toEqual(new Map());
      calls += result.calls;
      batches++;
    }
    await restarts;
    console.log(`[zookeeper] ZooKeeper restarted twice under load: ${calls} calls, 0 failed`);
    expect(watch.providers).toHaveLength(2);

    const [newcomer] = await addProviders(ensemble, ["1.2.0"]);
    await waitForProviders(watch, has(newcomer!.address), "the newcomer");
    const later = await runInventoryLoad(client, { total: 300, concurrency: 8, method: "stock" });
    expect(later.failed).toBe(0);
    expect(later.byProvider.get(newcomer!.address)).toBeGreaterThan(0);
    await watch.close();
    await invoker.close();
  });
});

describe("one of three ZooKeeper servers killed", () => {
  it("leaves discovery and calls unaffected", async () => {
    zookeeper = await startZooKeeper({ servers: 3 });
    const ensemble = zookeeper;
    const [first, second] = await addProviders(ensemble, ["1.0.0", "1.1.0"]);
    const registry = clientRegistry(ensemble);
    const { client, invoker } = await connectInventory(registry, { logger: silentLogger });
    const watch = await registry.watch("Inventory");

    const result = await runInventoryLoad(client, {
      total: 900,
      concurrency: 16,
      method: "stock",
      beforeCall: async (index) => {
        if (index === 300) await ensemble.stopServer(0, "SIGKILL");
      },
    });
    expect(result.failed).toBe(0);

    // Registration, discovery and expiry all still work on the two servers left.
    const [newcomer] = await addProviders(ensemble, ["1.2.0"]);
    await waitForProviders(watch, has(newcomer!.address), "the newcomer");
    await first!.stop("SIGKILL");
    const left = await waitForProviders(
      watch,
      (list) => !has(first!.address)(list),
      "the killed provider gone",
      20_000,
    );
    expect(left.map((p) => p.address).sort()).toEqual([second!.address, newcomer!.address].sort());
    await watch.close();
    await invoker.close();
  });
});
