/**
 * A client process for the ZooKeeper tests: watches one service and prints
 * "list <addresses, comma-joined>" with the first full list and after every change.
 * Every registry log message is printed as "log <message> <fields>".
 * Usage: tsx zookeeper-watcher-process.ts <servers> <prefix> <sessionTimeoutMs> <service>
 */
import { ZooKeeperRegistry, type Logger, type ProviderInfo } from "@rpcgen/runtime";

const [servers, prefix, sessionTimeoutMs, service] = process.argv.slice(2);
if (!servers || !prefix || !sessionTimeoutMs || !service) {
  process.stderr.write("usage: zookeeper-watcher-process.ts <servers> <prefix> <sessionTimeoutMs> <service>\n");
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
const show = (providers: readonly ProviderInfo[]): void => {
  process.stdout.write(
    `list ${providers
      .map((p) => p.address)
      .sort()
      .join(",")}\n`,
  );
};
const watch = await registry.watch(service);
show(watch.providers);
watch.on("change", show);
// The parent kills this process; the timeout only guards against an orphan.
setTimeout(() => process.exit(3), 120_000);
