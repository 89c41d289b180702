/**
 * A provider process for the ZooKeeper tests: registers one provider, prints
 * "registered <node path>", then only keeps its session alive until it is killed
 * or paused. Every registry log message is printed as "log <message>".
 * Usage: tsx zookeeper-provider-process.ts <servers> <prefix> <sessionTimeoutMs> <service> <address> <version>
 */
import { ZooKeeperRegistry, type Logger } from "@rpcgen/runtime";

const [servers, prefix, sessionTimeoutMs, service, address, version] = process.argv.slice(2);
if (!servers || !prefix || !sessionTimeoutMs || !service || !address || !version) {
  process.stderr.write(
    "usage: zookeeper-provider-process.ts <servers> <prefix> <sessionTimeoutMs> <service> <address> <version>\n",
  );
  process.exit(2);
}
const print = (fields: object | string, message?: string): void => {
  process.stdout.write(
    `log ${message ?? String(fields)} ${typeof fields === "object" ? JSON.stringify(fields) : ""}\n`,
  );
};
const logger: Logger = { debug: () => {}, info: print, warn: print, error: print };
const registry = new ZooKeeperRegistry({
  servers: servers.split(","),
  prefix,
  sessionTimeoutMs: Number(sessionTimeoutMs),
  logger,
});
const registration = await registry.register({
  service,
  version,
  address,
  weight: 100,
  metadata: { pid: String(process.pid) },
});
process.stdout.write(`registered ${(registration as unknown as { nodePath: string }).nodePath}\n`);
// The parent kills this process; the timeout only guards against an orphan.
setTimeout(() => process.exit(3), 120_000);
