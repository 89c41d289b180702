/**
 * etcd failing under a running cluster: calls go on from the last known
 * provider list, providers keep (or regain) their registrations, and the
 * client's watch resumes so later changes are still seen.
 */
import { afterEach, describe, expect, it } from "vitest";
import { silentLogger } from "@rpcgen/runtime";
import { connectInventory, runInventoryLoad } from "../../examples/cluster/client.js";
import { waitForProviders } from "../../examples/cluster/wait-for-providers.js";
import { startCluster, TEST_TTL_SECONDS, type ClusterFixture } from "./cluster-fixture.js";

let fixture: ClusterFixture | undefined;
afterEach(async () => {
  await fixture?.stop();
  fixture = undefined;
});

const expiryTimeoutMs = TEST_TTL_SECONDS * 1000 + 10_000;

describe("etcd restarted while calls flow", () => {
  it("fails no call; providers register again and the watch resumes", async () => {
    fixture = await startCluster({ etcdMembers: 1 });
    const providers = await fixture.addProviders(["1.0.0", "1.1.0", "1.2.0"]);
    const [witness, ...others] = providers;
    const registry = fixture.registry();
    const { client, invoker } = await connectInventory(registry, { logger: silentLogger });
    const watch = await registry.watch("Inventory");

    // etcd stays down until every provider has noticed its lease is lost (longer than
    // the TTL), then comes back; the providers must register again on their own.
    const outage = (async () => {
      const leasesLost = providers.map((p) => p.nextLine("etcd lease lost"));
      const registeredAgain = providers.map((p) => p.nextLine("provider registered again in etcd", 40_000));
      await fixture!.etcd.stopMember(0);
      await Promise.all(leasesLost);
      await fixture!.etcd.startMember(0);
      await Promise.all(registeredAgain);
    })();
    let outageOver = false;
    void outage.finally(() => (outageOver = true)).catch(() => {});

    // Calls flow in bounded batches for as long as the outage lasts (and at least once).
    let calls = 0;
    const byProvider = new Set<string>();
    for (let batch = 0; batch < 400 && (batch === 0 || !outageOver); batch++) {
      const result = await runInventoryLoad(client, { total: 100, concurrency: 8, method: "reserve", delayMs: 1 });
      expect(result.errors).toEqual(new Map());
      calls += result.calls;
      for (const address of result.byProvider.keys()) byProvider.add(address);
    }
    await outage;
    expect(calls).toBeGreaterThan(0);
    expect(byProvider.size).toBe(3);

    // The watch works again: a provider started now is seen and called...
    const [newcomer] = await fixture.addProviders(["1.3.0"]);
    await waitForProviders(watch, (list) => list.some((p) => p.address === newcomer!.address), "the newcomer");
    const later = await runInventoryLoad(client, { total: 300, concurrency: 8, method: "stock" });
    expect(later.failed).toBe(0);
    expect(later.byProvider.get(newcomer!.address)).toBeGreaterThan(0);

    // ...and a provider killed now expires, while the others, registered again
    // with leases kept alive, stay listed.
    await witness!.stop("SIGKILL");
    const left = await waitForProviders(
      watch,
      (list) => !list.some((p) => p.address === witness!.address),
      "the killed witness gone",
      expiryTimeoutMs,
    );
    expect(left.map((p) => p.address).sort()).toEqual([...others, newcomer!].map((p) => p.address).sort());
    await watch.close();
    await invoker.close();
  });
});

describe("one of three etcd members killed", () => {
  it("leaves discovery and calls unaffected", async () => {
    fixture = await startCluster({ etcdMembers: 3 });
    const [first, second] = await fixture.addProviders(["1.0.0", "1.1.0"]);
    const registry = fixture.registry();
    const { client, invoker } = await connectInventory(registry, { logger: silentLogger });
    const watch = await registry.watch("Inventory");

    const result = await runInventoryLoad(client, {
      total: 900,
      concurrency: 16,
      method: "stock",
      beforeCall: async (index) => {
        if (index === 300) await fixture!.etcd.stopMember(0, "SIGKILL");
      },
    });
    expect(result.failed).toBe(0);

    // Registration, discovery and expiry all still work on the two members left.
    const [newcomer] = await fixture.addProviders(["1.2.0"]);
    await waitForProviders(watch, (list) => list.some((p) => p.address === newcomer!.address), "the newcomer");
    await first!.stop("SIGKILL");
    const left = await waitForProviders(
      watch,
      (list) => !list.some((p) => p.address === first!.address),
      "the killed provider gone",
      expiryTimeoutMs,
    );
    expect(left.map((p) => p.address).sort()).toEqual([second!.address, newcomer!.address].sort());
    const later = await runInventoryLoad(client, { total: 300, concurrency: 8, method: "stock" });
    expect(later.failed).toBe(0);
    expect(later.byProvider.get(newcomer!.address)).toBeGreaterThan(0);
    await watch.close();
    await invoker.close();
  });
});
