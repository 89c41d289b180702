/**
 * `npm run demo:cluster [-- --registry etcd|zookeeper]`: a small cluster on one
 * machine. Starts a real etcd (the default) or ZooKeeper,
 * three inventory providers of versions 1.0.0, 1.1.0 and 2.0.0, and a
 * governed client that shows discovery, version selection, load spreading,
 * failover when a provider is killed with SIGKILL under load, and a graceful
 * shutdown (deregister, goaway, drain) that no call notices, then stops
 * everything and prints how many calls were made and how many failed.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DEMO_REGISTRIES, missingRegistryServer, startDemoRegistry, type DemoRegistryKind } from "./demo-registry.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../..");

function step(text: string): void {
  console.log(`\n== ${text}`);
}

const { values: args } = parseArgs({ options: { registry: { type: "string", default: "etcd" } } });
if (!(DEMO_REGISTRIES as readonly string[]).includes(args.registry)) {
  console.error(`demo:cluster: --registry must be one of ${DEMO_REGISTRIES.join(", ")}, got "${args.registry}"`);
  process.exit(2);
}
const registryKind = args.registry as DemoRegistryKind;
const missing = missingRegistryServer(registryKind);
if (missing !== undefined) {
  console.error(missing);
  process.exit(1);
}

step("generating stubs: rpcgen examples/cluster/inventory.thrift -o examples/cluster/gen");
const generated = spawnSync(
  process.execPath,
  [path.join(repoRoot, "bin/rpcgen"), path.join(here, "inventory.thrift"), "-o", path.join(here, "gen")],
  { stdio: "inherit" },
);
if (generated.status !== 0) {
  console.error("demo: stub generation failed");
  process.exit(1);
}

// Imported only now, after the stubs they use are generated.
const { silentLogger } = await import("@rpcgen/runtime");
const { startProvider } = await import("./provider-process.js");
const { connectInventory, runInventoryLoad } = await import("./client.js");
const { formatCounts } = await import("./load-loop.js");
const { waitForProviders } = await import("./wait-for-providers.js");
type LoadResult = Awaited<ReturnType<typeof runInventoryLoad>>;

const ttlSeconds = 2;
let totalCalls = 0;
let totalFailed = 0;
const tally = (what: string, result: LoadResult, label: (address: string) => string): void => {
  totalCalls += result.calls;
  totalFailed += result.failed;
  console.log(
    `${what}: ${result.calls} calls, ${result.failed} failed; answers per provider: ${formatCounts(result.byProvider, label)}`,
  );
  for (const [code, { count, sample }] of result.errors)
    console.log(`  failed with ${code}: ${count} (e.g. ${sample})`);
};

step(`starting ${registryKind} (one server, free ports, throw-away data dir)`);
const registryServer = await startDemoRegistry(registryKind);
console.log(registryServer.description);
const registry = registryServer.client(ttlSeconds);
const providers: Awaited<ReturnType<typeof startProvider>>[] = [];
const clusters: Awaited<ReturnType<typeof connectInventory>>[] = [];
let failed = false;

try {
  step(`starting three providers: versions 1.0.0, 1.1.0 and 2.0.0 (each registers itself in ${registryKind})`);
  for (const version of ["1.0.0", "1.1.0", "2.0.0"]) {
    const provider = await startProvider({ version, ...registryServer.providerOptions, ttlSeconds, graceMs: 5_000 });
    providers.push(provider);
    console.log(`provider ${version} listening on ${provider.address} (pid ${provider.pid})`);
  }
  const label = (address: string): string => {
    const provider = providers.find((p) => p.address === address);
    return provider ? `${address} (${provider.version})` : address;
  };

  step(`discovery: what a client watching ${registryKind} sees`);
  const watch = await registry.watch("Inventory");
  for (const p of watch.providers)
    console.log(`  ${p.service} ${p.version} at ${p.address} weight ${p.weight} pid ${p.metadata.pid}`);
  await watch.close();

  step('version selection: a client asking for ">=1.0 <2" (round-robin)');
  const v1 = await connectInventory(registry, { versionRange: ">=1.0 <2", logger: silentLogger });
  clusters.push(v1);
  tally("stock x 300", await runInventoryLoad(v1.client, { total: 300, concurrency: 8, method: "stock" }), label);

  step('version selection: a client asking for "^2" (round-robin)');
  const v2 = await connectInventory(registry, { versionRange: "^2", logger: silentLogger });
  clusters.push(v2);
  tally("stock x 100", await runInventoryLoad(v2.client, { total: 100, concurrency: 8, method: "stock" }), label);

  step("load spreading: any version, random balancer weighted by provider weight");
  const all = await connectInventory(registry, { balancer: "random", policy: "failover", logger: silentLogger });
  clusters.push(all);
  tally("stock x 1500", await runInventoryLoad(all.client, { total: 1500, concurrency: 16, method: "stock" }), label);

  step(
    `failover: SIGKILL ${providers[0]!.address} (1.0.0) mid-run; stock() is idempotent, so failed calls move to another provider`,
  );
  const killed = providers[0]!;
  const crash = await runInventoryLoad(all.client, {
    total: 3000,
    concurrency: 32,
    method: "stock",
    delayMs: 2,
    beforeCall: async (index) => {
      if (index !== 1000) return;
      const inFlight = all.invoker.stats().providers.find((p) => p.address === killed.address)?.inFlight ?? 0;
      console.log(`  call #${index}: kill -9 ${killed.pid} with ${inFlight} calls in flight on it`);
      await killed.stop("SIGKILL");
    },
  });
  tally("stock x 3000", crash, label);
  const seen = all.invoker.stats();
  const view = seen.providers.find((p) => p.address === killed.address)?.state ?? "removed";
  console.log(
    `  calls requeued by the client (lost with the connection, outside the retry budget): ${seen.requeues}; ` +
      `retries: ${seen.retries}; its view of the killed provider: ${view}`,
  );
  const after = await registry.watch("Inventory");
  const left = await waitForProviders(
    after,
    (list) => !list.some((p) => p.address === killed.address),
    `${killed.address} gone`,
    3 * ttlSeconds * 1000,
  );
  console.log(
    `  ${registryServer.expiry(ttlSeconds)}; listed now: ${left.map((p) => p.address).join(", ")}`,
  );
  await after.close();

  step(
    `graceful shutdown: SIGTERM ${providers[1]!.address} (1.1.0) mid-run while calling reserve(), which is never retried`,
  );
  const leaving = providers[1]!;
  const strict = await connectInventory(registry, { policy: "failfast", logger: silentLogger });
  clusters.push(strict);
  const graceful = await runInventoryLoad(strict.client, {
    total: 1000,
    concurrency: 16,
    method: "reserve",
    delayMs: 5,
    beforeCall: (index) => {
      if (index !== 300) return;
      console.log(`  call #${index}: SIGTERM ${leaving.pid}: it deregisters, sends goaway, finishes its calls, exits`);
      void leaving
        .stop("SIGTERM")
        .then((code) => console.log(`  provider ${leaving.version} exited with code ${code}`));
    },
  });
  await leaving.exited;
  tally("reserve x 1000 (failfast)", graceful, label);
} catch (error) {
  failed = true;
  console.error(`demo: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
} finally {
  step(`stopping clients, providers and ${registryKind}`);
  for (const cluster of clusters) await cluster.invoker.close();
  for (const provider of providers) await provider.stop("SIGTERM");
  await registry.close();
  await registryServer.stop();
}

console.log(`\ncalls: ${totalCalls}, failed: ${totalFailed}`);
process.exit(failed || totalFailed > 0 ? 1 : 0);
