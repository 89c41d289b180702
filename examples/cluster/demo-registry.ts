/**
 * The registry server the cluster demo runs on: `--registry etcd` (the default)
 * or `--registry zookeeper`. Each is started on free loopback ports with a
 * throw-away data dir, by the same helpers the tests use, and stopped at the end.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { silentLogger, type Registry } from "@rpcgen/runtime";
import { exampleRegistry } from "./example-registry.js";

/** The registries the demo can run on. */
export const DEMO_REGISTRIES = ["etcd", "zookeeper"] as const;
export type DemoRegistryKind = (typeof DEMO_REGISTRIES)[number];

/** A running registry server for the demo. */
export interface DemoRegistry {
  readonly kind: DemoRegistryKind;
  /** One line for the demo's output: what runs where. */
  readonly description: string;
  /** What startProvider needs to point a provider at this registry. */
  readonly providerOptions: { etcd: readonly string[] } | { zookeeper: readonly string[] };
  /** A client-side registry; `ttlSeconds` is the lease TTL or the session timeout. */
  client(ttlSeconds: number): Registry;
  /** How a killed provider leaves the registry, for the demo's output. */
  expiry(ttlSeconds: number): string;
  stop(): Promise<void>;
}

/** Why the demo cannot run on `kind` on this machine, with how to fix it; undefined when it can. */
export function missingRegistryServer(kind: DemoRegistryKind): string | undefined {
  if (kind === "etcd") {
    if (spawnSync("etcd", ["--version"]).error === undefined) return undefined;
    return (
      "demo:cluster needs the etcd server binary on PATH.\n" +
      "Install it with `apt-get install etcd-server` (Debian/Ubuntu) or from https://etcd.io/docs/latest/install/"
    );
  }
  if (existsSync("/usr/share/java/zookeeper.jar") && spawnSync("java", ["-version"]).error === undefined) {
    return undefined;
  }
  return (
    "demo:cluster --registry zookeeper needs ZooKeeper's server (/usr/share/java/zookeeper.jar) and java.\n" +
    "Install them with `apt-get install zookeeper` (Debian/Ubuntu), or run `bash .ci/install-system-deps.sh`"
  );
}

/** Starts a one-member etcd or a single ZooKeeper server. */
export async function startDemoRegistry(kind: DemoRegistryKind): Promise<DemoRegistry> {
  if (kind === "zookeeper") {
    const { startZooKeeper } = await import("../../test/support/zookeeper-server.js");
    const zookeeper = await startZooKeeper({ servers: 1 });
    return {
      kind,
      description: `ZooKeeper at ${zookeeper.connectString}`,
      providerOptions: { zookeeper: zookeeper.servers },
      client: (ttlSeconds) =>
        exampleRegistry({ zookeeper: zookeeper.connectString, prefix: "/rpcgen", ttlSeconds, logger: silentLogger }),
      expiry: (ttlSeconds) => `ZooKeeper deleted its ephemeral node when its session expired (timeout ${ttlSeconds} s)`,
      stop: () => zookeeper.stop(),
    };
  }
  const { startEtcd } = await import("../../test/support/etcd-cluster.js");
  const etcd = await startEtcd({ members: 1 });
  return {
    kind,
    description: `etcd at ${etcd.endpoints.join(", ")}`,
    providerOptions: { etcd: etcd.endpoints },
    client: (ttlSeconds) =>
      exampleRegistry({ etcd: etcd.endpoints.join(","), prefix: "/rpcgen", ttlSeconds, logger: silentLogger }),
    expiry: (ttlSeconds) => `etcd forgot the killed provider when its lease expired (TTL ${ttlSeconds} s)`,
    stop: () => etcd.stop(),
  };
}
