/**
 * publishServer on a real Server and a DirectRegistry: what it registers, the
 * order of a graceful close (deregister before goaway and drain), clean-up
 * when something goes wrong, and installShutdownSignals on its handle.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Channel, Code, DirectRegistry, RpcError, Server, installShutdownSignals, publishServer, silentLogger, type ProviderInfo, type Registration, type Registry, type ServiceDescriptor } from "@rpcgen/runtime";
import { InventoryClient, InventoryService, registerInventory } from "../../examples/cluster/gen/inventory.js";
import { InventoryHandlerImpl } from "../../examples/cluster/inventory-handler.js";

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanups.splice(0).reverse()) await step();
});

const servedBy = { address: "in-process", version: "test", pid: process.pid };
const mirror: ServiceDescriptor = { ...InventoryService, name: "InventoryMirror", version: undefined };

function inventoryServer(): Server {
  const server = new Server({ logger: silentLogger });
  registerInventory(server, new InventoryHandlerImpl(servedBy));
  cleanups.push(() => server.close({ graceMs: 0 }));
  return server;
}

/** A DirectRegistry that records, in `events`, each registration and deregistration. */
function recordingRegistry(events: string[], failOnRegister?: number): Registry {
  const inner = new DirectRegistry([], { logger: silentLogger });
  let registered = 0;
  return {
    async register(provider: ProviderInfo): Promise<Registration> {
      if (++registered === failOnRegister) throw new RpcError(Code.UNAVAILABLE, "registry unreachable");
      const registration = await inner.register(provider);
      events.push(`register ${provider.service}`);
      return {
        async deregister() {
          events.push(`deregister ${provider.service}`);
          await registration.deregister();
        },
      };
    },
    watch: (service) => inner.watch(service),
    close: () => inner.close(),
  };
}

describe("publishServer", () => {
  it("listens, then registers every service with its version, weight and metadata", async () => {
    const registry = new DirectRegistry([], { logger: silentLogger });
    const server = inventoryServer();
    server.addService(mirror, new InventoryHandlerImpl(servedBy));
    const published = await publishServer({
      server,
      registry,
      services: [
        { descriptor: InventoryService },
        { descriptor: mirror, version: "3.1.0", weight: 5, metadata: { zone: "b" } },
      ],
      weight: 20,
      metadata: { zone: "a", pid: "1" },
      logger: silentLogger,
    });
    expect(published.address).toMatch(/^127\.0\.0\.1:\d+$/);
    const inventory = await registry.watch("Inventory");
    const mirrored = await registry.watch("InventoryMirror");
    expect(inventory.providers).toEqual([
      {
        service: "Inventory",
        version: "1.0.0",
        address: published.address,
        weight: 20,
        metadata: { zone: "a", pid: "1" },
      },
    ]);
    expect(mirrored.providers).toEqual([
      {
        service: "InventoryMirror",
        version: "3.1.0",
        address: published.address,
        weight: 5,
        metadata: { zone: "b", pid: "1" },
      },
    ]);
    expect(published.providers).toEqual([...inventory.providers, ...mirrored.providers]);

    // What is registered answers.
    const channel = new Channel({ address: published.address });
    expect((await new InventoryClient(channel).stock("pear", 0)).item).toBe("pear");
    await channel.close();

    await published.close({ graceMs: 1000 });
    expect(inventory.providers).toEqual([]);
    expect(mirrored.providers).toEqual([]);
    await registry.close();
  });

  it("closes gracefully: deregisters first, then lets calls in flight finish", async () => {
    const events: string[] = [];
    const registry = recordingRegistry(events);
    const server = inventoryServer();
    const originalClose = server.close.bind(server);
    server.close = async (options) => {
      events.push("server close");
      await originalClose(options);
      events.push("server closed");
    };
    const published = await publishServer({
      server,
      registry,
      services: [{ descriptor: InventoryService }],
      logger: silentLogger,
    });
    const channel = new Channel({ address: published.address });
    cleanups.push(() => channel.close());
    const slow = new InventoryClient(channel).stock("plum", 300);
    // The call is on the server before the shutdown starts.
    await new InventoryClient(channel).stock("warm-up", 0);

    const closing = published.close({ graceMs: 5000 });
    expect(published.close()).toBe(closing);
    await closing;
    expect((await slow).item).toBe("plum");
    expect(events).toEqual(["register Inventory", "deregister Inventory", "server close", "server closed"]);
    await registry.close();
  });

  it("refuses a service with no version before listening", async () => {
    const server = inventoryServer();
    server.addService(mirror, new InventoryHandlerImpl(servedBy));
    const registry = new DirectRegistry([], { logger: silentLogger });
    const error = await publishServer({ server, registry, services: [{ descriptor: mirror }] }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe(Code.INVALID_ARGUMENT);
    expect((error as RpcError).message).toContain('InventoryMirror has no version: add (version = "1.0.0")');
    // Nothing was started: the server can still listen.
    await expect(server.listen()).resolves.toMatchObject({ host: "127.0.0.1" });
    await expect(publishServer({ server, registry, services: [] })).rejects.toThrow(/at least one service/);
  });

  it("refuses an advertised address that is not host:port", async () => {
    const server = inventoryServer();
    const registry = new DirectRegistry([], { logger: silentLogger });
    const error = await publishServer({
      server,
      registry,
      services: [{ descriptor: InventoryService }],
      advertiseAddress: "inventory.local",
    }).catch((e: unknown) => e);
    expect((error as RpcError).code).toBe(Code.INVALID_ARGUMENT);
    expect((error as RpcError).message).toContain('address "inventory.local" must be "host:port"');
    // Validated before anything was registered.
    expect((await registry.watch("Inventory")).providers).toEqual([]);
    await registry.close();
  });

  it("advertises the given address, and never a wildcard one", async () => {
    const registry = new DirectRegistry([], { logger: silentLogger });
    const given = await publishServer({
      server: inventoryServer(),
      registry,
      services: [{ descriptor: InventoryService }],
      advertiseAddress: "inventory.example:7000",
    });
    expect(given.address).toBe("inventory.example:7000");
    await given.close({ graceMs: 0 });

    const wildcard = await publishServer({
      server: inventoryServer(),
      registry,
      listen: { host: "0.0.0.0", port: 0 },
      services: [{ descriptor: InventoryService }],
    }).catch((e: unknown) => e);
    if (wildcard instanceof RpcError) {
      expect(wildcard.message).toContain("pass advertiseAddress");
    } else {
      const published = wildcard as Awaited<ReturnType<typeof publishServer>>;
      expect(published.address).not.toMatch(/^0\.0\.0\.0:/);
      await published.close({ graceMs: 0 });
    }
    await registry.close();
  });

  it("undoes what it registered and closes the server when a registration fails", async () => {
    const events: string[] = [];
    const registry = recordingRegistry(events, 2);
    const server = inventoryServer();
    server.addService(mirror, new InventoryHandlerImpl(servedBy));
    const error = await publishServer({
      server,
      registry,
      services: [{ descriptor: InventoryService }, { descriptor: mirror, version: "1.0.0" }],
      logger: silentLogger,
    }).catch((e: unknown) => e);
    expect((error as RpcError).message).toBe("registry unreachable");
    expect(events).toEqual(["register Inventory", "deregister Inventory"]);
    expect((await registry.watch("Inventory")).providers).toEqual([]);
    await registry.close();
  });

  it("is closed by installShutdownSignals on a signal", async () => {
    const events: string[] = [];
    const registry = recordingRegistry(events);
    const published = await publishServer({
      server: inventoryServer(),
      registry,
      services: [{ descriptor: InventoryService }],
    });
    const closed = new Promise<void>((resolve) => {
      const uninstall = installShutdownSignals(published, { signals: ["SIGUSR2"], graceMs: 1000, onClosed: resolve });
      cleanups.push(async () => uninstall());
    });
    process.kill(process.pid, "SIGUSR2");
    await closed;
    expect(events).toEqual(["register Inventory", "deregister Inventory"]);
    await registry.close();
  });
});
