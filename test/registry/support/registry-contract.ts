/**
 * What every registry backend must do, as one set of tests run against each real
 * server (etcd, ZooKeeper): registrations reach watchers and are stored where the
 * layout says, services do not mix, close() cleans up, a killed provider leaves the
 * list when its lease or session ends, an unreachable backend is UNAVAILABLE, and a
 * closed watch stays quiet.
 */
import { describe, expect, it } from "vitest";
import { Code, RpcError, type ProviderWatch } from "@rpcgen/runtime";
import { addresses, provider, watchUntil } from "../watch-until.js";
import type { BackendServer, RegistryBackend } from "./backends.js";
import { startProviderProcess } from "./child-process.js";

let prefixCount = 0;

/** A prefix no other test in this process uses. */
export function freshPrefix(label = "rpcgen-test"): string {
  return `/${label}-${process.pid}-${++prefixCount}`;
}

/** The registry contract, against `server()` (one server of `backend` for the file). */
export function describeRegistryContract<Server extends BackendServer>(
  backend: RegistryBackend<Server>,
  server: () => Server,
): void {
  const lifetimeMs = 2_000;
  const { name, lifetimeName } = backend;

  describe(`the registry contract on ${name}`, () => {
    it(`register → the watch sees it, stored under the documented path with a ${lifetimeName}; deregister → gone`, async () => {
      const prefix = freshPrefix();
      const registrar = server().registry({ prefix, lifetimeMs });
      const client = server().registry({ prefix });
      const watch = await client.watch("Calc");
      expect(watch.providers).toEqual([]);

      const registration = await registrar.register({
        ...provider("Calc", 7001, "1.2.0"),
        weight: 5,
        metadata: { zone: "a" },
      });
      const [seen] = await watchUntil(watch, (list) => list.length === 1, "the new provider");
      expect(seen).toEqual({
        service: "Calc",
        version: "1.2.0",
        address: "127.0.0.1:7001",
        weight: 5,
        metadata: { zone: "a" },
      });

      const stored = await server().entries(prefix);
      expect(stored).toHaveLength(1);
      expect(stored[0]!.path).toMatch(backend.entryPath("Calc", "127.0.0.1:7001"));
      expect(JSON.parse(stored[0]!.text)).toEqual({ version: "1.2.0", weight: 5, metadata: { zone: "a" } });
      expect(stored[0]!.bound).toBe(true);

      await registration.deregister();
      await watchUntil(watch, (list) => list.length === 0, "the provider removed");
      expect(await server().entries(prefix)).toEqual([]);
      await Promise.all([registrar.close(), client.close()]);
    });

    it("a second watcher gets the full list at once, services do not mix, close() removes every entry", async () => {
      const prefix = freshPrefix();
      const registrar = server().registry({ prefix });
      await registrar.register(provider("Calc", 7001));
      await registrar.register(provider("Calc", 7002, "2.0.0"));
      await registrar.register(provider("Calculator", 7003));
      const client = server().registry({ prefix });
      const watch = await client.watch("Calc");
      expect(addresses(watch.providers)).toBe("127.0.0.1:7001,127.0.0.1:7002");
      expect(watch.providers.map((p) => p.version)).toEqual(["1.0.0", "2.0.0"]);
      const other = await client.watch("Calculator");
      expect(addresses(other.providers)).toBe("127.0.0.1:7003");
      // close() deregisters everything this registry registered.
      await registrar.close();
      await watchUntil(watch, (list) => list.length === 0, "every provider gone after close()");
      expect(await server().entries(prefix)).toEqual([]);
      await client.close();
    });

    it(`a provider killed with SIGKILL leaves the list once its ${lifetimeName} of 2 s ends`, async () => {
      const prefix = freshPrefix();
      const client = server().registry({ prefix });
      const watch = await client.watch("Calc");
      const registry = { kind: backend.kind, endpoints: server().endpoints, prefix, lifetimeMs };
      const { child } = await startProviderProcess(registry, {
        service: "Calc",
        address: "127.0.0.1:7100",
        version: "1.0.0",
      });
      try {
        await watchUntil(watch, (list) => addresses(list) === "127.0.0.1:7100", "the child's provider");
        expect(watch.providers[0]!.metadata.pid).toBe(String(child.pid));
        const killedAt = Date.now();
        child.signal("SIGKILL");
        await child.exited;
        await watchUntil(watch, (list) => list.length === 0, "the killed provider gone", 20_000);
        const elapsed = Date.now() - killedAt;
        console.log(
          `[${backend.kind}] kill -9 → provider left the watch's list after ${elapsed} ms (${lifetimeName} ${lifetimeMs} ms)`,
        );
        const earliest = backend.earliestExpiryMs(server(), lifetimeMs);
        if (earliest !== undefined) expect(elapsed).toBeGreaterThanOrEqual(earliest);
      } finally {
        await child.kill();
        await client.close();
      }
    });

    it(`rejects watch() and register() with UNAVAILABLE when ${name} cannot be reached`, async () => {
      const registry = await backend.unreachableRegistry();
      const watchError = await registry.watch("Calc").catch((e: unknown) => e);
      expect(watchError).toBeInstanceOf(RpcError);
      expect(watchError).toMatchObject({ code: Code.UNAVAILABLE });
      expect((watchError as RpcError).message).toContain(`could not list providers of Calc from ${name}`);
      const registerError = await registry.register(provider("Calc", 1)).catch((e: unknown) => e);
      expect(registerError).toBeInstanceOf(RpcError);
      expect(registerError).toMatchObject({ code: Code.UNAVAILABLE });
      expect((registerError as RpcError).message).toContain(`could not register Calc@127.0.0.1:1 in ${name}`);
      if (backend.registerFailureHasCause) expect((registerError as RpcError).cause).toBeInstanceOf(Error);
      await registry.close();
      await expect(registry.register(provider("Calc", 1))).rejects.toMatchObject({
        code: Code.FAILED_PRECONDITION,
      });
    });

    it("a closed watch emits nothing more and keeps its last list", async () => {
      const registry = server().registry({ prefix: freshPrefix() });
      const watch: ProviderWatch = await registry.watch("Calc");
      await registry.register(provider("Calc", 1));
      await watchUntil(watch, (list) => list.length === 1, "the provider");
      let events = 0;
      watch.on("change", () => void events++);
      await watch.close();
      await registry.register(provider("Calc", 2));
      const probe = await registry.watch("Calc");
      expect(addresses(probe.providers)).toBe("127.0.0.1:1,127.0.0.1:2");
      expect(events).toBe(0);
      expect(addresses(watch.providers)).toBe("127.0.0.1:1");
      await registry.close();
    });
  });
}
