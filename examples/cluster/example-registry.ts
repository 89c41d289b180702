/**
 * The registry an example program was pointed at on its command line: etcd
 * (`--etcd URL,...`) or ZooKeeper (`--zookeeper host:port,...`), exactly one.
 * `ttlSeconds` is the etcd lease TTL, or the ZooKeeper session timeout: either
 * way, how long a killed provider stays listed.
 */
import { EtcdRegistry, ZooKeeperRegistry, type Logger, type Registry } from "@rpcgen/runtime";

/** Where the registry is and how it behaves, as the example programs take it. */
export interface ExampleRegistryOptions {
  /** Comma-separated etcd client URLs. */
  etcd?: string;
  /** Comma-separated ZooKeeper servers. */
  zookeeper?: string;
  prefix: string;
  ttlSeconds: number;
  logger?: Logger;
}

/** The registry named by the options; throws a usage message unless exactly one of etcd and zookeeper is given. */
export function exampleRegistry(options: ExampleRegistryOptions): Registry {
  const { etcd, zookeeper, prefix, ttlSeconds, logger } = options;
  if ((etcd === undefined) === (zookeeper === undefined)) {
    throw new Error(
      "give exactly one of --etcd (comma-separated etcd URLs) and --zookeeper (comma-separated host:port)",
    );
  }
  if (zookeeper !== undefined) {
    return new ZooKeeperRegistry({
      servers: zookeeper.split(","),
      prefix,
      sessionTimeoutMs: ttlSeconds * 1000,
      logger,
    });
  }
  return new EtcdRegistry({ endpoints: etcd!.split(","), prefix, ttlSeconds, logger });
}
