/**
 * A real cluster for the tests in this folder: etcd (one or three members),
 * inventory providers as child processes, and an EtcdRegistry for the client
 * side. Each fixture uses its own key prefix, so fixtures never see each other.
 */
import { EtcdRegistry, silentLogger, type ProviderInfo } from "@rpcgen/runtime";
import { startProvider, type ProviderProcess } from "../../examples/cluster/provider-process.js";
import { waitForProviders } from "../../examples/cluster/wait-for-providers.js";
import { startEtcd, type EtcdCluster } from "../support/etcd-cluster.js";

/** Lease TTL of the providers in these tests: how long a killed provider stays listed. */
export const TEST_TTL_SECONDS = 2;

let fixtures = 0;

/** Starts etcd and returns a handle to add providers and clients to it. */
export async function startCluster(options: { etcdMembers?: 1 | 3 } = {}): Promise<ClusterFixture> {
  const etcd = await startEtcd({ members: options.etcdMembers ?? 1 });
  return new ClusterFixture(etcd, true);
}

/** A fixture on an etcd that someone else started and stops (one etcd for a whole test file). */
export function clusterOn(etcd: EtcdCluster): ClusterFixture {
  return new ClusterFixture(etcd, false);
}

/** A running etcd plus the providers and registries started on it; `stop()` ends them all. */
export class ClusterFixture {
  readonly providers: ProviderProcess[] = [];
  private readonly registries: EtcdRegistry[] = [];

  readonly prefix = `/rpcgen-test-${process.pid}-${++fixtures}`;

  constructor(
    readonly etcd: EtcdCluster,
    private readonly ownsEtcd: boolean,
  ) {}

  /** Starts one provider per version, in parallel; resolves once all are registered. */
  async addProviders(versions: readonly string[], graceMs = 10_000): Promise<ProviderProcess[]> {
    const started = await Promise.all(
      versions.map((version) =>
        startProvider({
          version,
          etcd: this.etcd.endpoints,
          prefix: this.prefix,
          ttlSeconds: TEST_TTL_SECONDS,
          graceMs,
        }),
      ),
    );
    this.providers.push(...started);
    return started;
  }

  /** A client-side registry on this fixture's etcd and prefix, closed by `stop()`. */
  registry(): EtcdRegistry {
    const registry = new EtcdRegistry({
      endpoints: this.etcd.endpoints,
      prefix: this.prefix,
      ttlSeconds: TEST_TTL_SECONDS,
      logger: silentLogger,
    });
    this.registries.push(registry);
    return registry;
  }

  /** Waits until the Inventory watch of `registry` lists exactly `addresses`. */
  async waitForAddresses(registry: EtcdRegistry, addresses: readonly string[], timeoutMs = 15_000): Promise<void> {
    const watch = await registry.watch("Inventory");
    const wanted = [...addresses].sort().join(",");
    try {
      await waitForProviders(watch, (list) => addressesOf(list) === wanted, `exactly [${wanted}]`, timeoutMs);
    } finally {
      await watch.close();
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.providers.map((provider) => provider.stop("SIGKILL")));
    for (const registry of this.registries) await registry.close();
    if (this.ownsEtcd) await this.etcd.stop();
  }
}

/** Sorted, comma-joined addresses, for comparing provider lists. */
export function addressesOf(providers: readonly ProviderInfo[]): string {
  return providers
    .map((p) => p.address)
    .sort()
    .join(",");
}
