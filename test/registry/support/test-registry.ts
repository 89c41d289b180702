/**
 * Builds an EtcdRegistry or a ZooKeeperRegistry from the few settings the registry
 * tests vary, so the tests, their child processes and the backends share one
 * construction. Kept free of vitest: child processes import it.
 */
import { EtcdRegistry, silentLogger, ZooKeeperRegistry, type Logger, type Registry } from "@rpcgen/runtime";

/** The registries a test can run against. */
export type RegistryKind = "etcd" | "zookeeper";

/** What a test sets on a registry. */
export interface TestRegistryOptions {
  /** etcd client URLs, or ZooKeeper "host:port" servers. */
  readonly endpoints: readonly string[];
  readonly prefix?: string;
  /**
   * How long a dead provider's entry lives: the lease TTL (etcd, whole seconds) or
   * the session timeout (ZooKeeper). The registry's default when not given.
   */
  readonly lifetimeMs?: number;
  readonly logger?: Logger;
}

/** A registry of `kind` with `options`. */
export function createTestRegistry(kind: RegistryKind, options: TestRegistryOptions): Registry {
  const common = {
    ...(options.prefix === undefined ? {} : { prefix: options.prefix }),
    logger: options.logger ?? silentLogger,
  };
  const lifetimeMs = options.lifetimeMs;
  if (kind === "etcd") {
    return new EtcdRegistry({
      endpoints: [...options.endpoints],
      ...common,
      ...(lifetimeMs === undefined ? {} : { ttlSeconds: lifetimeMs / 1000 }),
    });
  }
  return new ZooKeeperRegistry({
    servers: [...options.endpoints],
    ...common,
    ...(lifetimeMs === undefined ? {} : { sessionTimeoutMs: lifetimeMs }),
  });
}

/**
 * The arguments the registry child processes take first:
 * `<etcd|zookeeper> <endpoints, comma-joined> <prefix> <lifetimeMs>`, then their own.
 * Every registry log message is printed as "log <message> <fields as JSON>".
 */
export function registryFromArgs(script: string, usage: string, count: number): { registry: Registry; rest: string[] } {
  const args = process.argv.slice(2);
  const [kind, endpoints, prefix, lifetimeMs] = args;
  if (args.length !== 4 + count || (kind !== "etcd" && kind !== "zookeeper") || !endpoints || !prefix || !lifetimeMs) {
    process.stderr.write(`usage: ${script} <etcd|zookeeper> <endpoints> <prefix> <lifetimeMs> ${usage}\n`);
    process.exit(2);
  }
  const print = (fields: object | string, message?: string): void => {
    process.stdout.write(
      `log ${message ?? String(fields)} ${typeof fields === "object" ? JSON.stringify(fields) : ""}\n`,
    );
  };
  const logger: Logger = { debug: () => {}, info: print, warn: print, error: print };
  const registry = createTestRegistry(kind, {
    endpoints: endpoints.split(","),
    prefix,
    lifetimeMs: Number(lifetimeMs),
    logger,
  });
  // The parent kills this process; the timeout only guards against an orphan.
  setTimeout(() => process.exit(3), 120_000);
  return { registry, rest: args.slice(4) };
}
