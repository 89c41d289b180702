/**
 * `registry: { protocol: etcd | zookeeper }` end to end with a real server: a
 * configured server registers its providers, a configured client discovers them
 * through a governed invoker, and follows a deregistration. One test body, run in
 * one file per backend (one real server per file).
 */
import { afterAll, expect, it, vi } from "vitest";
import { createRegistryFromConfig, parseConfig, Server, serverSettingsFromConfig, silentLogger, type Registry } from "@rpcgen/runtime";
import type { BackendServer, RegistryBackend } from "../../registry/support/backends.js";
import { configuredStoreClient, store } from "./configured-client.js";

/**
 * The end-to-end test for `backend`, on `server()`. `registryLines` are the
 * backend's own `registry:` settings; `checkRegistry` looks at the registry a
 * configured server built.
 */
export function itConnectsThroughConfiguredRegistry<Server extends BackendServer>(
  backend: RegistryBackend<Server>,
  server: () => Server,
  options: { registryLines: readonly string[]; checkRegistry?: (registry: Registry) => void },
): void {
  const cleanups: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const step of cleanups.splice(0).reverse()) await step();
  });

  function configText(role: string, extra: string[]): string {
    return [
      `application: { name: ${role} }`,
      "registry:",
      `  protocol: ${backend.kind}`,
      `  endpoints: [${server().endpoints.join(", ")}]`,
      ...options.registryLines.map((line) => `  ${line}`),
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
    const rpcServer = new Server({ ...settings.serverOptions, logger: silentLogger });
    const handler = async (key: string) => `${name}:${key}`;
    rpcServer.addService(store, { get: handler, put: handler, read: handler });
    const { host, port } = await rpcServer.listen(settings.listen);
    const registry = createRegistryFromConfig(config, { logger: silentLogger });
    const registrations = await Promise.all(settings.providers(`${host}:${port}`).map((p) => registry.register(p)));
    cleanups.push(async () => {
      await Promise.all(registrations.map((r) => r.deregister()));
      await rpcServer.close({ graceMs: 1_000 });
      await registry.close();
    });
    return { registry, registrations };
  }

  it(`connects servers and governed clients through ${backend.name}`, async () => {
    const one = await startConfiguredServer("one", "1.1.0");
    await startConfiguredServer("two", "1.2.0");
    await startConfiguredServer("old", "0.9.0");
    expect(one.registry).toBeInstanceOf(backend.registryClass);
    options.checkRegistry?.(one.registry);

    const clientConfig = parseConfig(
      configText("client", ["client:", "  services:", "    Store: { versionRange: '^1.0', balancer: round-robin }"]),
      "client.yaml",
    );
    const invoker = configuredStoreClient(clientConfig, cleanups);
    await invoker.ready();

    const answers = new Set<unknown>();
    for (let i = 0; i < 10; i++) answers.add(await invoker.invoke(store.methods["read"]!, ["k"]));
    expect(answers).toEqual(new Set(["one:k", "two:k"]));

    await Promise.all(one.registrations.map((r) => r.deregister()));
    await vi.waitFor(() => expect(invoker.stats().providers).toHaveLength(1), { timeout: 10_000, interval: 20 });
    for (let i = 0; i < 5; i++) await expect(invoker.invoke(store.methods["read"]!, ["k"])).resolves.toBe("two:k");
  });
}
