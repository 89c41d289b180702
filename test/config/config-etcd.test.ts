import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { clusterOptionsFromConfig, createClusterInvoker, createRegistryFromConfig, EtcdRegistry, parseConfig, Server, serverSettingsFromConfig, silentLogger } from "@rpcgen/runtime";
import { startEtcd, type EtcdCluster } from "../support/etcd-cluster.js";
import { storeService } from "../governance/helpers/test-service.js";

/*
 * End to end with a real etcd: a configured server registers its providers in
 * etcd, a configured client discovers them, and follows a deregistration.
 */

const store = storeService("Store");
let etcd: EtcdCluster;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  etcd = await startEtcd({ members: 1 });
});
afterAll(async () => {
  for (const step of cleanups.splice(0).reverse()) await step();
  await etcd?.stop();
});

function configText(role: string, extra: string[]): string {
  return [
    `application: { name: ${role} }`,
    "registry:",
    "  protocol: etcd",
    `  endpoints: [${etcd.endpoints.join(", ")}]`,
    "  ttlSeconds: 5",
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
  return { registry, registrations, server, stop };
}

describe("configured etcd registry", () => {
  it("connects servers and governed clients through etcd", async () => {
    const one = await startConfiguredServer("one", "1.1.0");
    await startConfiguredServer("two", "1.2.0");
    await startConfiguredServer("old", "0.9.0");
    expect(one.registry).toBeInstanceOf(EtcdRegistry);

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
});
