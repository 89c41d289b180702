/**
 * An inventory provider: serves Inventory on a port, registers it in etcd
 * (or ZooKeeper) with a version, and on SIGTERM/SIGINT deregisters, drains and exits.
 *
 *   tsx examples/cluster/provider.ts --port 0 --version 1.1.0 --etcd http://127.0.0.1:2379
 *   tsx examples/cluster/provider.ts --port 0 --version 1.1.0 --zookeeper 127.0.0.1:2181
 *
 * Prints `listening on <host>:<port>` once it is registered and callable.
 * `--workers N` serves the port from N worker processes (node:cluster).
 * Beyond loopback, secure it (docs/SECURITY.md; clients then pass tls and token):
 *
 *   tsx examples/cluster/provider.ts --host 0.0.0.0 --port 9090 --etcd https://10.0.0.1:2379 \
 *     --tls-cert server.crt --tls-key server.key --auth-token "$INVENTORY_TOKEN"
 */
import cluster from "node:cluster";
import { parseArgs } from "node:util";
import { pino } from "pino";
import { Server, installShutdownSignals, publishServer } from "@rpcgen/runtime";
import { securityFlags, securityOptions, warnIfExposed } from "../security-flags.js";
import { exampleRegistry } from "./example-registry.js";
import { InventoryService, registerInventory } from "./gen/inventory.js";
import { InventoryHandlerImpl } from "./inventory-handler.js";

const { values } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "0" },
    version: { type: "string" },
    etcd: { type: "string" },
    zookeeper: { type: "string" },
    prefix: { type: "string", default: "/rpcgen" },
    ttl: { type: "string", default: "10" },
    "grace-ms": { type: "string", default: "10000" },
    "log-level": { type: "string", default: "info" },
    workers: { type: "string", default: "1" },
    ...securityFlags,
  },
});

const port = Number(values.port);
const ttlSeconds = Number(values.ttl);
const graceMs = Number(values["grace-ms"]);
const workers = Number(values.workers);
if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be 0..65535, got "${values.port}"`);
if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) fail(`--ttl must be whole seconds ≥ 1, got "${values.ttl}"`);
if (!Number.isInteger(graceMs) || graceMs < 0)
  fail(`--grace-ms must be a whole number ≥ 0, got "${values["grace-ms"]}"`);
if (!Number.isInteger(workers) || workers < 1) fail(`--workers must be a whole number ≥ 1, got "${values.workers}"`);
if ((values.etcd === undefined) === (values.zookeeper === undefined)) {
  fail("give --etcd (comma-separated etcd client URLs) or --zookeeper (comma-separated host:port)");
}
if (!(values["log-level"] in pino.levels.values)) {
  fail(`--log-level must be one of ${Object.keys(pino.levels.values).join(", ")}, got "${values["log-level"]}"`);
}

const version = values.version ?? InventoryService.version ?? "1.0.0";
// Registry events (registered, lease lost, registered again) go to stderr as JSON lines.
const logger = pino({ name: `inventory-${version}`, level: values["log-level"] }, pino.destination(2));
const registry = exampleRegistry({ ...values, prefix: values.prefix, ttlSeconds, logger });
const security = securityOptions(values, "inventory provider");
warnIfExposed(values.host, security, "inventory provider");
// With TLS, publishServer registers the provider with tls: "true", so clients call it over TLS.
const server = new Server({ logger, ...security });
const servedBy = { address: "", version, pid: process.pid };
registerInventory(server, new InventoryHandlerImpl(servedBy));

const published = await publishServer({
  server,
  registry,
  // With several workers this process becomes their primary and registers the shared port once.
  listen: { host: values.host, port, workers: workers > 1 ? workers : undefined },
  services: [{ descriptor: InventoryService, version }],
  metadata: { pid: String(process.pid) },
  logger,
}).catch((error: unknown) => fail(`cannot start: ${error instanceof Error ? error.message : String(error)}`, 1));
servedBy.address = published.address;
installShutdownSignals(
  {
    async close(options) {
      await published.close(options);
      await registry.close();
    },
  },
  { graceMs },
);
if (cluster.isWorker) console.log(`worker ${process.pid} serving ${published.address}`);
else console.log(`listening on ${published.address} version ${version} pid ${process.pid}`);

function fail(message: string, exitCode = 2): never {
  console.error(`inventory provider: ${message}`);
  process.exit(exitCode);
}
