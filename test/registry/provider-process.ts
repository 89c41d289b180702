/**
 * A provider process for the TTL test: registers one provider in etcd, prints
 * "registered" and then only keeps its lease alive until it is killed.
 * Usage: tsx provider-process.ts <endpoint> <prefix> <ttlSeconds> <service> <address>
 */
import { EtcdRegistry, silentLogger } from "@rpcgen/runtime";

const [endpoint, prefix, ttl, service, address] = process.argv.slice(2);
if (!endpoint || !prefix || !ttl || !service || !address) {
  process.stderr.write("usage: provider-process.ts <endpoint> <prefix> <ttlSeconds> <service> <address>\n");
  process.exit(2);
}
const registry = new EtcdRegistry({
  endpoints: [endpoint],
  prefix,
  ttlSeconds: Number(ttl),
  logger: silentLogger,
});
await registry.register({
  service,
  version: "1.0.0",
  address,
  weight: 100,
  metadata: { pid: String(process.pid) },
});
process.stdout.write(`registered\n`);
// The parent kills this process; the timeout only guards against an orphan.
setTimeout(() => process.exit(3), 120_000);
