import type { ClusterStats } from "../../governance/cluster-stats.js";
import type { EndpointState } from "../../governance/endpoint.js";
import { promClient, type PromRegistry } from "./prom-client-module.js";
import { RpcMetrics, type MetricsOptions } from "./rpc-metrics.js";

/** What the cluster metrics read from a cluster invoker (a ClusterInvoker is one). */
export interface ObservableCluster {
  stats(): ClusterStats;
  ready(): Promise<void>;
}

type WatchState = "discovering" | "watching" | "failed";

interface Source {
  readonly cluster: ObservableCluster;
  watch: WatchState;
}

const providerStates: readonly EndpointState[] = ["closed", "half-open", "breaker-open", "unreachable", "draining", "removed"];
const watchStates: readonly WatchState[] = ["discovering", "watching", "failed"];
const perRegistry = new WeakMap<PromRegistry, Set<WeakRef<Source>>>();

/**
 * Exports a cluster invoker's governance state with the RPC metrics (read from
 * `stats()` at each scrape, nothing per call): per provider its breaker state
 * (`rpc_client_provider_state`, 1 for the current state), attempts, failures
 * and calls in flight; per service the retries made and denied, requeues,
 * fallbacks, and the registry watch (`rpc_client_registry_watch_state`,
 * `rpc_client_registry_providers`).
 */
export function observeCluster(cluster: ObservableCluster, options: MetricsOptions = {}): void {
  const registry = RpcMetrics.of(options).registry;
  let sources = perRegistry.get(registry);
  if (sources === undefined) {
    sources = new Set();
    perRegistry.set(registry, sources);
    registerClusterMetrics(registry, sources);
  }
  const source: Source = { cluster, watch: "discovering" };
  cluster.ready().then(
    () => (source.watch = "watching"),
    () => (source.watch = "failed"),
  );
  sources.add(new WeakRef(source));
  // The source lives as long as the invoker does.
  keepAlive.set(cluster, source);
}

const keepAlive = new WeakMap<ObservableCluster, Source>();

function registerClusterMetrics(registry: PromRegistry, sources: Set<WeakRef<Source>>): void {
  const prom = promClient();
  const snapshots = (): Array<{ source: Source; stats: ClusterStats }> => {
    const out: Array<{ source: Source; stats: ClusterStats }> = [];
    for (const ref of sources) {
      const source = ref.deref();
      if (source === undefined) sources.delete(ref);
      else out.push({ source, stats: source.cluster.stats() });
    }
    return out;
  };
  // One snapshot per scrape, shared by every metric below: a scrape runs their collect()s in one
  // synchronous pass, so the snapshot is dropped at the next microtask.
  let cached: Array<{ source: Source; stats: ClusterStats }> | undefined;
  const current = (): Array<{ source: Source; stats: ClusterStats }> => {
    if (cached === undefined) {
      cached = snapshots();
      queueMicrotask(() => (cached = undefined));
    }
    return cached;
  };

  const perService = (name: string, help: string, read: (stats: ClusterStats) => number, type: "counter" | "gauge" = "counter"): void => {
    const Metric = type === "counter" ? prom.Counter : prom.Gauge;
    new Metric({
      name,
      help,
      labelNames: ["rpc_service"],
      registers: [registry],
      collect(this: { reset(): void; inc(labels: Record<string, string>, value: number): void }) {
        this.reset();
        for (const { stats } of current()) this.inc({ rpc_service: stats.service }, read(stats));
      },
    } as never);
  };
  perService("rpc_client_retries_total", "Retries a cluster invoker made (another attempt after a failed one).", (s) => s.retries);
  perService("rpc_client_retries_denied_total", "Retries not made because the retry budget was spent.", (s) => s.retriesDenied);
  perService("rpc_client_requeues_total", "Attempts sent again elsewhere because the first was never sent or lost with its connection.", (s) => s.requeues);
  perService("rpc_client_fallbacks_total", "Calls answered by a fallback or by failsafe.", (s) => s.fallbacks);
  perService("rpc_client_registry_providers", "Providers the registry watch currently lists in the version range.", (s) => s.providers.filter((p) => p.state !== "removed").length, "gauge");

  new prom.Gauge({
    name: "rpc_client_registry_watch_state",
    help: "State of a cluster invoker's registry watch: 1 for the current one of discovering, watching, failed.",
    labelNames: ["rpc_service", "state"],
    registers: [registry],
    collect() {
      this.reset();
      for (const { source, stats } of current()) {
        for (const state of watchStates) this.inc({ rpc_service: stats.service, state }, source.watch === state ? 1 : 0);
      }
    },
  });

  const perProvider = (name: string, help: string, read: (p: ClusterStats["providers"][number]) => number, type: "counter" | "gauge"): void => {
    const Metric = type === "counter" ? prom.Counter : prom.Gauge;
    new Metric({
      name,
      help,
      labelNames: ["rpc_service", "provider"],
      registers: [registry],
      collect(this: { reset(): void; inc(labels: Record<string, string>, value: number): void }) {
        this.reset();
        for (const { stats } of current()) for (const provider of stats.providers) this.inc({ rpc_service: stats.service, provider: provider.address }, read(provider));
      },
    } as never);
  };
  perProvider("rpc_client_provider_attempts_total", "Attempts a cluster invoker sent to a provider.", (p) => p.calls, "counter");
  perProvider("rpc_client_provider_failures_total", "Attempts to a provider that failed (declared exceptions and cancellations excluded).", (p) => p.failures, "counter");
  perProvider("rpc_client_provider_in_flight", "Attempts in flight to a provider.", (p) => p.inFlight, "gauge");

  new prom.Gauge({
    name: "rpc_client_provider_state",
    help: "A provider's state as a cluster invoker sees it (breaker closed, half-open, breaker-open; unreachable, draining, removed): 1 for the current one.",
    labelNames: ["rpc_service", "provider", "state"],
    registers: [registry],
    collect() {
      this.reset();
      for (const { stats } of current()) {
        for (const provider of stats.providers) {
          for (const state of providerStates) this.inc({ rpc_service: stats.service, provider: provider.address, state }, provider.state === state ? 1 : 0);
        }
      }
    },
  });
}
