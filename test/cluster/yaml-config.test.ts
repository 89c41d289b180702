/**
 * One YAML file drives both sides of a real call: the server section starts a
 * provider that registers itself in etcd (publishServer), the registry and
 * client sections build the governed client that finds and calls it.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { Server, clusterOptionsFromConfig, createClusterInvoker, createRegistryFromConfig, loadConfig, publishServer, serverSettingsFromConfig, silentLogger } from "@rpcgen/runtime";
import { InventoryClient, InventoryService, registerInventory } from "../../examples/cluster/gen/inventory.js";
import { InventoryHandlerImpl } from "../../examples/cluster/inventory-handler.js";
import { startCluster, type ClusterFixture } from "./cluster-fixture.js";

let fixture: ClusterFixture | undefined;
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanups.splice(0).reverse()) await step();
  await fixture?.stop();
  fixture = undefined;
});

describe("a YAML configuration end to end", () => {
  it("configures registry, provider and client for a real call", async () => {
    fixture = await startCluster({ etcdMembers: 1 });
    // A provider outside the configured range: the client must never call it.
    const [outOfRange] = await fixture.addProviders(["2.0.0"]);
    const dir = await mkdtemp(path.join(tmpdir(), "rpcgen-cluster-config-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const file = path.join(dir, "inventory.yaml");
    await writeFile(
      file,
      [
        "application:",
        "  name: inventory",
        "registry:",
        "  protocol: etcd",
        `  endpoints: [${fixture.etcd.endpoints.join(", ")}]`,
        `  prefix: ${fixture.prefix}`,
        "  ttlSeconds: 2",
        "server:",
        "  address: 127.0.0.1:0",
        "  codec: json",
        "  shutdownGraceMs: 2000",
        "  services:",
        "    - { name: Inventory, version: 1.4.0, metadata: { zone: a } }",
        "client:",
        "  defaults:",
        "    timeoutMs: 3000",
        "  services:",
        "    Inventory:",
        '      versionRange: ">=1.0 <2"',
        "      balancer: round-robin",
        "      policy: failfast",
        "      methods:",
        "        reserve: { timeoutMs: 1500 }",
        "",
      ].join("\n"),
    );
    const config = await loadConfig(file);

    // The provider side.
    const settings = serverSettingsFromConfig(config)!;
    const serverRegistry = createRegistryFromConfig(config, { logger: silentLogger });
    cleanups.push(() => serverRegistry.close());
    const server = new Server({ ...settings.serverOptions, logger: silentLogger });
    const servedBy = { address: "", version: "", pid: process.pid };
    registerInventory(server, new InventoryHandlerImpl(servedBy));
    const declared = config.server!.services[0]!;
    const published = await publishServer({
      server,
      registry: serverRegistry,
      listen: settings.listen,
      services: [{ descriptor: InventoryService, version: declared.version, metadata: declared.metadata }],
      metadata: { codec: config.server!.codec! },
    });
    cleanups.push(() => published.close({ graceMs: settings.shutdownGraceMs }));
    servedBy.address = published.address;
    servedBy.version = published.providers[0]!.version;
    expect(published.providers).toEqual([
      {
        service: "Inventory",
        version: "1.4.0",
        address: published.address,
        weight: 100,
        metadata: { zone: "a", codec: "json" },
      },
    ]);

    // The client side.
    const clientRegistry = createRegistryFromConfig(config, { logger: silentLogger });
    cleanups.push(() => clientRegistry.close());
    const invoker = createClusterInvoker(
      clusterOptionsFromConfig(config, InventoryService, clientRegistry, { logger: silentLogger }),
    );
    cleanups.push(() => invoker.close());
    const inventory = new InventoryClient(invoker);

    const stock = await inventory.stock("apple", 0);
    expect(stock).toEqual({ item: "apple", available: 1_000_000, servedBy });
    const reservation = await inventory.reserve("apple", 3, 0);
    expect(reservation.servedBy.address).toBe(published.address);
    expect((await inventory.stock("apple", 0)).available).toBe(1_000_000 - 3);

    const stats = invoker.stats();
    expect(stats.versionRange).toBe(">=1.0 <2");
    expect(stats.balancer).toBe("round-robin");
    expect(stats.policy).toBe("failfast");
    expect(stats.providers.map((p) => p.address)).toEqual([published.address]);
    expect(stats.providers.map((p) => p.address)).not.toContain(outOfRange!.address);
  });
});
