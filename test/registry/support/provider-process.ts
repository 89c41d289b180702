/**
 * A provider process for the registry tests: registers one provider, prints
 * "registered <where>" (the etcd key or the ZooKeeper node path), then only keeps
 * its lease or session alive until it is killed or paused.
 * Usage: tsx provider-process.ts <etcd|zookeeper> <endpoints> <prefix> <lifetimeMs> <service> <address> <version>
 */
import { registryFromArgs } from "./test-registry.js";

const { registry, rest } = registryFromArgs("provider-process.ts", "<service> <address> <version>", 3);
const [service, address, version] = rest as [string, string, string];
const registration = await registry.register({
  service,
  version,
  address,
  weight: 100,
  metadata: { pid: String(process.pid) },
});
// Where the registration lives: EtcdRegistration.key, ZooKeeperRegistration.nodePath.
const where = registration as unknown as { key?: string; nodePath?: string };
process.stdout.write(`registered ${where.nodePath ?? where.key}\n`);
