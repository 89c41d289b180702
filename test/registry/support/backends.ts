/**
 * The two registry backends the tests run against, behind one interface: start a
 * real etcd or ZooKeeper (one server or three), build registries on it, stop and
 * start its members, and read what the registry stored, so that one test body can
 * check the same behaviour on both.
 */
import { Etcd3 } from "etcd3";
import { afterAll, beforeAll } from "vitest";
import { EtcdRegistry, silentLogger, ZooKeeperRegistry, type Registry } from "@rpcgen/runtime";
import { startEtcd, type EtcdCluster } from "../../support/etcd-cluster.js";
import { freePort } from "../../support/server-process.js";
import { startZooKeeper, type ZooKeeperEnsemble } from "../../support/zookeeper-server.js";
import { connectRaw, type RawZooKeeper } from "../zookeeper-raw-client.js";
import { killChildren } from "./child-process.js";
import { createTestRegistry, type RegistryKind, type TestRegistryOptions } from "./test-registry.js";

/** A provider entry as stored, found under a registry prefix. */
export interface StoredEntry {
  /** Its key or node path relative to the prefix, e.g. "services/Calc/providers/127.0.0.1:7001". */
  readonly path: string;
  readonly text: string;
  /** Bound to the registering client: an etcd lease, or a ZooKeeper ephemeral owner. */
  readonly bound: boolean;
}

/** A running etcd cluster or ZooKeeper ensemble, as the registry tests use it. */
export interface BackendServer {
  readonly kind: RegistryKind;
  /** etcd client URLs, or ZooKeeper "host:port" servers. */
  readonly endpoints: readonly string[];
  /** A registry on these servers (or on `endpoints` when given). */
  registry(options: Partial<TestRegistryOptions>): Registry;
  /** Stops member i: SIGTERM by default, SIGKILL to simulate a crash. */
  stopMember(index: number, signal?: "SIGTERM" | "SIGKILL"): Promise<void>;
  /** Starts member i again with the same data; resolves once it serves. */
  startMember(index: number): Promise<void>;
  /** Every provider entry stored under `prefix`, sorted by path. */
  entries(prefix: string): Promise<StoredEntry[]>;
  stop(): Promise<void>;
}

/** One kind of registry backend. */
export interface RegistryBackend<Server extends BackendServer = BackendServer> {
  readonly kind: RegistryKind;
  /** The name the registry gives its backend in messages: "etcd", "ZooKeeper". */
  readonly name: string;
  /** The registry class, e.g. for `instanceof` and test titles. */
  readonly registryClass: typeof EtcdRegistry | typeof ZooKeeperRegistry;
  /** What keeps a provider's entry alive: "lease", "session". */
  readonly lifetimeName: string;
  start(members: 1 | 3): Promise<Server>;
  /** The path, relative to the prefix, of the entry a registration of `address` creates. */
  entryPath(service: string, address: string): RegExp;
  /** A registry whose servers cannot be reached (nothing listens there). */
  unreachableRegistry(): Promise<Registry>;
  /** Whether register()'s UNAVAILABLE error carries the client library's error as its cause. */
  readonly registerFailureHasCause: boolean;
  /**
   * The shortest time a killed provider's entry may still be listed, for a lease or
   * session of `lifetimeMs`; undefined where the backend promises no floor.
   */
  earliestExpiryMs(server: Server, lifetimeMs: number): number | undefined;
}

/**
 * Starts one server (or cluster) of `backend` for the whole test file and stops it,
 * and any registry child process still running, after the file; returns a getter.
 */
export function useBackendServer<Server extends BackendServer>(
  backend: RegistryBackend<Server>,
  members: 1 | 3 = 1,
): () => Server {
  let server: Server | undefined;
  beforeAll(async () => {
    server = await backend.start(members);
  });
  afterAll(async () => {
    await killChildren();
    await server?.stop();
  });
  return () => {
    if (server === undefined) throw new Error(`${backend.name} has not started (see beforeAll)`);
    return server;
  };
}

/** Registry options with these servers' endpoints unless given. */
function registryOn(kind: RegistryKind, endpoints: readonly string[]) {
  return (options: Partial<TestRegistryOptions>): Registry =>
    createTestRegistry(kind, { endpoints, ...options });
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** etcd, with a raw etcd3 client for looking at keys and leases directly. */
export interface EtcdBackendServer extends BackendServer {
  readonly cluster: EtcdCluster;
  readonly raw: Etcd3;
}

export const etcdBackend: RegistryBackend<EtcdBackendServer> = {
  kind: "etcd",
  name: "etcd",
  registryClass: EtcdRegistry,
  lifetimeName: "lease",
  async start(members) {
    const cluster = await startEtcd({ members });
    const raw = new Etcd3({ hosts: cluster.endpoints });
    return {
      kind: "etcd",
      cluster,
      raw,
      endpoints: cluster.endpoints,
      registry: registryOn("etcd", cluster.endpoints),
      stopMember: (index, signal) => cluster.stopMember(index, signal),
      startMember: (index) => cluster.startMember(index),
      async entries(prefix) {
        const kvs = (await raw.getAll().prefix(`${prefix}/`).exec()).kvs;
        return kvs
          .map((kv) => ({
            path: kv.key.toString().slice(prefix.length + 1),
            text: kv.value.toString(),
            bound: kv.lease !== "0",
          }))
          .sort((a, b) => a.path.localeCompare(b.path));
      },
      async stop() {
        raw.close();
        await cluster.stop();
      },
    };
  },
  entryPath: (service, address) => new RegExp(`^services/${escape(service)}/providers/${escape(address)}$`),
  async unreachableRegistry() {
    const endpoints = [`http://127.0.0.1:${await freePort()}`];
    return new EtcdRegistry({ endpoints, requestTimeoutMs: 1_000, logger: silentLogger });
  },
  registerFailureHasCause: true,
  earliestExpiryMs: () => undefined,
};

/** ZooKeeper, with a raw client (connected on first use) for looking at nodes directly. */
export interface ZooKeeperBackendServer extends BackendServer {
  readonly ensemble: ZooKeeperEnsemble;
  raw(): Promise<RawZooKeeper>;
}

export const zookeeperBackend: RegistryBackend<ZooKeeperBackendServer> = {
  kind: "zookeeper",
  name: "ZooKeeper",
  registryClass: ZooKeeperRegistry,
  lifetimeName: "session",
  async start(members) {
    const ensemble = await startZooKeeper({ servers: members });
    let raw: Promise<RawZooKeeper> | undefined;
    const rawClient = (): Promise<RawZooKeeper> => (raw ??= connectRaw(ensemble.connectString));
    return {
      kind: "zookeeper",
      ensemble,
      raw: rawClient,
      endpoints: ensemble.servers,
      registry: registryOn("zookeeper", ensemble.servers),
      stopMember: (index, signal) => ensemble.stopServer(index, signal),
      startMember: (index) => ensemble.startServer(index),
      async entries(prefix) {
        const client = await rawClient();
        const entries: StoredEntry[] = [];
        for (const service of await client.children(`${prefix}/services`)) {
          const parent = `services/${service}/providers`;
          for (const name of await client.children(`${prefix}/${parent}`)) {
            const node = await client.read(`${prefix}/${parent}/${name}`);
            if (node === undefined) continue;
            const bound = !node.stat.ephemeralOwner.equals(Buffer.alloc(8));
            entries.push({ path: `${parent}/${name}`, text: node.text, bound });
          }
        }
        return entries.sort((a, b) => a.path.localeCompare(b.path));
      },
      async stop() {
        (await raw?.catch(() => undefined))?.close();
        await ensemble.stop();
      },
    };
  },
  // An ephemeral sequential node: the address, a dash and ten digits.
  entryPath: (service, address) => new RegExp(`^services/${escape(service)}/providers/${escape(address)}-\\d{10}$`),
  async unreachableRegistry() {
    return new ZooKeeperRegistry({ servers: ["127.0.0.1:1"], connectTimeoutMs: 500, logger: silentLogger });
  },
  registerFailureHasCause: false,
  // The server checks sessions once per tick.
  earliestExpiryMs: (server, lifetimeMs) => lifetimeMs - 2 * server.ensemble.tickTimeMs,
};
