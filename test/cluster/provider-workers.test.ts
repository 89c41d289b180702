/**
 * A provider serving from several worker processes (node:cluster) is one
 * provider to the registry: the primary registers the shared port once and
 * deregisters it on SIGTERM; every worker answers calls.
 */
import { afterEach, describe, expect, it } from "vitest";
import { channelTransportFactory, silentLogger } from "@rpcgen/runtime";
import { connectInventory } from "../../examples/cluster/client.js";
import { startProvider } from "../../examples/cluster/provider-process.js";
import { waitForProviders } from "../../examples/cluster/wait-for-providers.js";
import { startCluster, TEST_TTL_SECONDS, type ClusterFixture } from "./cluster-fixture.js";

let fixture: ClusterFixture | undefined;
afterEach(async () => {
  await fixture?.stop();
  fixture = undefined;
});

describe("a provider with worker processes", () => {
  it("registers once, is served by every worker, and deregisters on SIGTERM", async () => {
    fixture = await startCluster({ etcdMembers: 1 });
    const provider = await startProvider({
      version: "1.0.0",
      etcd: fixture.etcd.endpoints,
      prefix: fixture.prefix,
      ttlSeconds: TEST_TTL_SECONDS,
      workers: 2,
    });
    fixture.providers.push(provider);
    const registry = fixture.registry();
    const watch = await registry.watch("Inventory");
    expect(watch.providers.map((p) => [p.address, p.metadata.pid])).toEqual([[provider.address, String(provider.pid)]]);

    // Each call opens its own connection here (a pool of 8), so the kernel spreads them over the workers.
    const { client, invoker } = await connectInventory(registry, {
      logger: silentLogger,
      transportFactory: channelTransportFactory({ poolSize: 8 }),
    });
    const workers = new Set<number>();
    for (let round = 0; round < 50 && workers.size < 2; round++) {
      const answers = await Promise.all(Array.from({ length: 16 }, () => client.stock("fig", 1)));
      for (const answer of answers) workers.add(answer.servedBy.pid);
    }
    expect(workers.size).toBe(2);
    expect(workers.has(provider.pid)).toBe(false);
    await invoker.close();

    // Removed by deregistration, not by its lease running out.
    const deregistered = provider.nextLine("provider deregistered from etcd");
    expect(await provider.stop("SIGTERM")).toBe(0);
    await deregistered;
    await waitForProviders(watch, (list) => list.length === 0, "no provider");
    await watch.close();
  });
});
