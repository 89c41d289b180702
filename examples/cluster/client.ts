/**
 * The inventory client: a governed client (ClusterInvoker) that discovers
 * providers in etcd, keeps those in a version range and spreads calls over them.
 *
 *   tsx examples/cluster/client.ts --etcd http://127.0.0.1:2379 --range ">=1.0 <2" --calls 1000
 *
 * prints how many calls each provider answered and how many failed.
 */
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { EtcdRegistry, createClusterInvoker, type ClusterInvoker, type ClusterInvokerOptions, type Policy, type Registry } from "@rpcgen/runtime";
import { InventoryClient, InventoryService } from "./gen/inventory.js";
import { formatCounts, runLoad, type LoadResult } from "./load-loop.js";

/** A governed inventory client and the invoker under it (for stats and close). */
export interface InventoryCluster {
  readonly client: InventoryClient;
  readonly invoker: ClusterInvoker;
}

/**
 * An InventoryClient over a ClusterInvoker with the README's settings
 * (round-robin, failover, 2 retries, the default retry budget) unless `options`
 * say otherwise. A provider killed under load fails every call it had in flight
 * at once; those are requeued on the other providers outside the retry budget
 * (see docs/GOVERNANCE.md, "Requeues"), so the default budget is enough.
 */
export async function connectInventory(
  registry: Registry,
  options: { versionRange?: string; policy?: Policy } & Partial<ClusterInvokerOptions> = {},
): Promise<InventoryCluster> {
  const invoker = createClusterInvoker({
    balancer: "round-robin",
    policy: "failover",
    retries: 2,
    ...options,
    service: InventoryService,
    registry,
  });
  await invoker.ready();
  return { client: new InventoryClient(invoker), invoker };
}

/** Options of a load run against the inventory. */
export interface InventoryLoadOptions {
  total: number;
  concurrency: number;
  /** `stock` (idempotent, retried on failover) or `reserve` (never retried). */
  method: "stock" | "reserve";
  /** How long each call takes on the provider. */
  delayMs?: number;
  beforeCall?: (index: number) => void | Promise<void>;
  /** No call starts after this many milliseconds. Default: no limit. */
  stopAfterMs?: number;
}

/** Makes `total` calls of `method` and counts answers per provider. */
export function runInventoryLoad(client: InventoryClient, options: InventoryLoadOptions): Promise<LoadResult> {
  const delayMs = options.delayMs ?? 0;
  return runLoad({
    total: options.total,
    concurrency: options.concurrency,
    beforeCall: options.beforeCall,
    stopAfterMs: options.stopAfterMs,
    call: async (index) => {
      const item = `item-${index % 50}`;
      const answer =
        options.method === "stock" ? await client.stock(item, delayMs) : await client.reserve(item, 1, delayMs);
      return answer.servedBy.address;
    },
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      etcd: { type: "string" },
      prefix: { type: "string", default: "/rpcgen" },
      range: { type: "string" },
      calls: { type: "string", default: "1000" },
      concurrency: { type: "string", default: "16" },
      method: { type: "string", default: "stock" },
      // Providers with TLS and a token (docs/SECURITY.md): the CA their certificates chain to, and the token.
      "tls-ca": { type: "string" },
      token: { type: "string" },
    },
  });
  const total = Number(values.calls);
  const concurrency = Number(values.concurrency);
  if (values.etcd === undefined) throw new Error("--etcd is required: comma-separated etcd client URLs");
  if (!Number.isInteger(total) || total < 1)
    throw new Error(`--calls must be a whole number ≥ 1, got "${values.calls}"`);
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new Error(`--concurrency must be a whole number ≥ 1, got "${values.concurrency}"`);
  }
  if (values.method !== "stock" && values.method !== "reserve") {
    throw new Error(`--method must be "stock" or "reserve", got "${values.method}"`);
  }
  const registry = new EtcdRegistry({ endpoints: values.etcd.split(","), prefix: values.prefix });
  try {
    const { client, invoker } = await connectInventory(registry, {
      versionRange: values.range,
      ...(values["tls-ca"] === undefined ? {} : { tls: { caFile: values["tls-ca"] } }),
      ...(values.token === undefined ? {} : { token: values.token }),
    });
    const result = await runInventoryLoad(client, { total, concurrency, method: values.method });
    console.log(`answers per provider: ${formatCounts(result.byProvider)}`);
    for (const [code, { count, sample }] of result.errors) console.log(`failed with ${code}: ${count} (${sample})`);
    console.log(`calls: ${result.calls}, failed: ${result.failed}`);
    await invoker.close();
    process.exitCode = result.failed === 0 ? 0 : 1;
  } finally {
    await registry.close();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    console.error(`inventory client: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
