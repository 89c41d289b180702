import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ConfigError, clusterOptionsFromConfig, createClusterInvoker, createRegistryFromConfig, parseConfig, Server, serverSettingsFromConfig, silentLogger, ZooKeeperRegistry } from "@rpcgen/runtime";
import { startZooKeeper, type ZooKeeperEnsemble } from "../support/zookeeper-server.js";
import { storeService } from "../governance/helpers/test-service.js";

/*
 * `registry: { protocol: zookeeper }` end to end with a real ZooKeeper: a configured
 * server registers its providers, a configured client discovers them and follows a
 * deregistration; and the options of one registry are refused for another.
 */

const store = storeService("Store");
let zookeeper: ZooKeeperEnsemble;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  zookeeper = await startZooKeeper({ servers: 1 });
});
afterAll(async () => {
  for (const step of cleanups.splice(0).reverse()) await step();
  await zookeeper?.stop();
});

function configText(role: string, extra: string[]): string {
  return [
    `application: { name: ${role} }`,
    "registry:",
    "  protocol: zookeeper",
    `  endpoints: [${zookeeper.servers.join(", ")}]`,
    "  sessionTimeoutMs: 4000",
    "  connectTimeoutMs: 3000",
    `  prefix: /rpcgen-config-test-${process.pid}`,
    ...extra,
  ].join("\n");
}

async function startConfiguredServer(name: string, version: string) {
  const config = parseConfig(
    configText(`server-${name}`, [
      "server:",
      "  address: 127.0.0.1:0",
      `  services: [{ name: Store, version: ${version} }]`,
    ]),
    `${name}.yaml`,
  );
  const settings = serverSettingsFromConfig(config)!;
  const server = new Server({ ...settings.serverOptions, logger: silentLogger });
  const handler = async (key: string) => `${name}:${key}`;
  server.addService(store, { get: handler, put: handler, read: handler });
  const { host, port } = await server.listen(settings.listen);
  const registry = createRegistryFromConfig(config, { logger: silentLogger });
  const registrations = await Promise.all(settings.providers(`${host}:${port}`).map((p) => registry.register(p)));
  const stop = async () => {
    await Promise.all(registrations.map((r) => r.deregister()));
    await server.close({ graceMs: 1_000 });
    await registry.close();
  };
  cleanups.push(stop);
  return { registry, registrations };
}

describe("configured ZooKeeper registry", () => {
  it("connects servers and governed clients through ZooKeeper", async () => {
    const one = await startConfiguredServer("one", "1.1.0");
    await startConfiguredServer("two", "1.2.0");
    await startConfiguredServer("old", "0.9.0");
    expect(one.registry).toBeInstanceOf(ZooKeeperRegistry);
    expect((one.registry as ZooKeeperRegistry).sessionTimeoutMs).toBe(4000);

    const clientConfig = parseConfig(
      configText("client", ["client:", "  services:", "    Store: { versionRange: '^1.0', balancer: round-robin }"]),
      "client.yaml",
    );
    const registry = createRegistryFromConfig(clientConfig, { logger: silentLogger });
    cleanups.push(() => registry.close());
    const invoker = createClusterInvoker(
      clusterOptionsFromConfig(clientConfig, store, registry, { logger: silentLogger }),
    );
    cleanups.push(() => invoker.close());
    await invoker.ready();

    const answers = new Set<unknown>();
    for (let i = 0; i < 10; i++) answers.add(await invoker.invoke(store.methods["read"]!, ["k"]));
    expect(answers).toEqual(new Set(["one:k", "two:k"]));

    await Promise.all(one.registrations.map((r) => r.deregister()));
    await vi.waitFor(() => expect(invoker.stats().providers).toHaveLength(1), { timeout: 10_000, interval: 20 });
    for (let i = 0; i < 5; i++) await expect(invoker.invoke(store.methods["read"]!, ["k"])).resolves.toBe("two:k");
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
