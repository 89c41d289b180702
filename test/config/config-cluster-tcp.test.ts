import { afterEach, describe, expect, it } from "vitest";
import { parseConfig, Server, serverSettingsFromConfig, silentLogger } from "@rpcgen/runtime";
import { configuredStoreClient, store } from "./support/configured-client.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanups.splice(0).reverse()) await step();
});

describe("a configuration file drives a real server and a governed client", () => {
  it("serves, registers and calls as configured", async () => {
    const serverConfig = parseConfig(
      [
        "application: { name: store-server }",
        "server:",
        "  address: 127.0.0.1:0",
        "  codec: json",
        "  limits: { maxConnections: 10 }",
        "  services: [{ name: Store, version: 1.3.0, weight: 10 }]",
      ].join("\n"),
      "server.yaml",
    );
    const settings = serverSettingsFromConfig(serverConfig)!;
    const server = new Server({ ...settings.serverOptions, logger: silentLogger });
    const seen: string[] = [];
    const handler = async (key: string) => {
      seen.push(key);
      return `stored ${key}`;
    };
    server.addService(store, { get: handler, put: handler, read: handler });
    const { host, port } = await server.listen(settings.listen);
    cleanups.push(() => server.close({ graceMs: 0 }));
    const [registered] = settings.providers(`${host}:${port}`);

    const clientConfig = parseConfig(
      [
        "application: { name: store-client }",
        "registry:",
        "  protocol: direct",
        "  providers:",
        `    - ${JSON.stringify(registered)}`,
        "client:",
        "  services:",
        "    Store:",
        "      versionRange: '^1.2'",
        "      balancer: least-pending",
        "      policy: failover",
        "      poolSize: 2",
        "      bulkhead: { maxConcurrent: 8, maxQueue: 100 }",
        "      methods: { put: { idempotent: true } }",
      ].join("\n"),
      "client.yaml",
    );
    const invoker = configuredStoreClient(clientConfig, cleanups);

    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => invoker.invoke(store.methods["put"]!, [`k${i}`])),
    );
    expect(results).toEqual(Array.from({ length: 20 }, (_, i) => `stored k${i}`));
    expect(seen).toHaveLength(20);
    const stats = invoker.stats();
    expect(stats).toMatchObject({ balancer: "least-pending", versionRange: "^1.2", calls: 20, failures: 0 });
    expect(stats.providers).toEqual([
      expect.objectContaining({ address: `${host}:${port}`, version: "1.3.0", weight: 10, state: "closed", calls: 20 }),
    ]);
  });
});
