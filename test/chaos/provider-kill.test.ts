/**
 * Chaos: one of three providers SIGKILLed under load. Real etcd, real provider
 * processes, real TCP, and a cluster client with exactly the README's settings
 * (round-robin, failover, 2 retries, the default retry budget). The killed
 * provider takes the calls it had in flight down with its connections; each of
 * them must still be answered by another provider: no call may fail.
 *
 * Each run prints its figures (docs/RELIABILITY.md, "Provider killed under load").
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createClusterInvoker, silentLogger, type ClusterInvoker } from "@rpcgen/runtime";
import { runInventoryLoad } from "../../examples/cluster/client.js";
import { InventoryClient, InventoryService } from "../../examples/cluster/gen/inventory.js";
import { clusterOn, type ClusterFixture } from "../cluster/cluster-fixture.js";
import { providerStats } from "../cluster/invoker-probe.js";
import { startEtcd, type EtcdCluster } from "../support/etcd-cluster.js";

const RUNS = 3;
const CALLS_IN_FLIGHT = 64;
/** Bounds of one run's load: whichever comes first. */
const MAX_CALLS = 160_000;
const MAX_LOAD_MS = 10_000;
/** The provider dies when this call starts, with the load in full swing. */
const KILL_AT_CALL = 20_000;

let etcd: EtcdCluster;
let fixture: ClusterFixture | undefined;
let invoker: ClusterInvoker | undefined;
beforeAll(async () => {
  etcd = await startEtcd({ members: 1 });
});
afterAll(async () => {
  await etcd?.stop();
});
afterEach(async () => {
  await invoker?.close();
  invoker = undefined;
  await fixture?.stop();
  fixture = undefined;
});

describe("a provider SIGKILLed under load, with the README's cluster settings", () => {
  for (let run = 1; run <= RUNS; run++) {
    it(`run ${run} of ${RUNS}: ${CALLS_IN_FLIGHT} idempotent calls in flight, one of three providers killed, no call fails`, async () => {
      fixture = clusterOn(etcd);
      const [victim, ...survivors] = await fixture.addProviders(["1.0.0", "1.1.0", "1.2.0"]);
      invoker = createClusterInvoker({
        service: InventoryService,
        registry: fixture.registry(),
        versionRange: ">=1.0 <2",
        balancer: "round-robin",
        policy: "failover",
        retries: 2,
        logger: silentLogger,
      });
      await invoker.ready();
      expect(invoker.stats().providers).toHaveLength(3);
      const client = new InventoryClient(invoker);

      let killed = false;
      const result = await runInventoryLoad(client, {
        total: MAX_CALLS,
        concurrency: CALLS_IN_FLIGHT,
        method: "stock",
        stopAfterMs: MAX_LOAD_MS,
        beforeCall: async (index) => {
          if (index !== KILL_AT_CALL) return;
          // Until its process is gone the victim keeps taking calls and answers none: they pile up on it.
          await victim!.stop("SIGKILL");
          killed = true;
        },
      });
      const stats = invoker.stats();
      const victimState = providerStats(invoker, victim!.address)?.state ?? "removed";
      console.log(
        `provider-kill run ${run}: calls ${result.calls}, failed ${result.failed}, ` +
          `requeues ${stats.requeues}, retries ${stats.retries}, retries denied ${stats.retriesDenied}, ` +
          `killed provider seen as ${victimState}`,
      );

      // The kill happened mid-load, and the load went on well after it.
      expect(killed).toBe(true);
      expect(result.calls).toBeGreaterThan(KILL_AT_CALL + 2_000);
      // Every call was answered.
      expect([...result.errors.entries()]).toEqual([]);
      expect(result.failed).toBe(0);
      // Calls were lost with the victim's connection, and requeued elsewhere outside the retry budget.
      expect(stats.requeues).toBeGreaterThan(0);
      expect(stats.retriesDenied).toBe(0);
      for (const survivor of survivors) expect(result.byProvider.get(survivor.address)).toBeGreaterThan(0);
      expect(["unreachable", "breaker-open", "removed"]).toContain(victimState);
    });
  }
});
