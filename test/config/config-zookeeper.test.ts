import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig, ZooKeeperRegistry } from "@rpcgen/runtime";
import { useBackendServer, zookeeperBackend } from "../registry/support/backends.js";
import { itConnectsThroughConfiguredRegistry } from "./support/configured-registry.js";

/*
 * `registry: { protocol: zookeeper }` end to end with a real ZooKeeper: a configured
 * server registers its providers, a configured client discovers them and follows a
 * deregistration; and the options of one registry are refused for another.
 */

const zookeeper = useBackendServer(zookeeperBackend);

describe("configured ZooKeeper registry", () => {
  itConnectsThroughConfiguredRegistry(zookeeperBackend, zookeeper, {
    registryLines: ["sessionTimeoutMs: 4000", "connectTimeoutMs: 3000"],
    checkRegistry: (registry) => expect((registry as ZooKeeperRegistry).sessionTimeoutMs).toBe(4000),
  });

  it("requires host:port servers and refuses the options of another registry", () => {
    const problems = (registry: string): string[] => {
      try {
        parseConfig(`application: { name: x }\nregistry: ${registry}\n`);
      } catch (error) {
        if (error instanceof ConfigError) return error.issues.map((i) => `${i.path}: ${i.message}`);
        throw error;
      }
      return [];
    };
    expect(problems("{ protocol: zookeeper }")).toEqual([
      "registry.endpoints: is required: expected at least one ZooKeeper server when protocol is zookeeper",
    ]);
    expect(problems("{ protocol: zookeeper, endpoints: ['http://127.0.0.1:2181'], ttlSeconds: 5 }")).toEqual([
      'registry.endpoints[0]: expected a ZooKeeper server "host:port", got "http://127.0.0.1:2181"',
      "registry.ttlSeconds: expected only with protocol etcd, got 5",
    ]);
    expect(problems("{ protocol: etcd, endpoints: ['http://127.0.0.1:2379'], sessionTimeoutMs: 5000 }")).toEqual([
      "registry.sessionTimeoutMs: expected only with protocol zookeeper, got 5000",
    ]);
    expect(problems("{ protocol: zookeeper, endpoints: ['127.0.0.1:2181', '[::1]:2181'] }")).toEqual([]);
  });
});
