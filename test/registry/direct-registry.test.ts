import { describe, expect, it } from "vitest";
import { Code, DirectRegistry, RpcError, silentLogger, type ProviderInfo } from "@rpcgen/runtime";
import { addresses, provider } from "./watch-until.js";

const logger = silentLogger;

describe("DirectRegistry", () => {
  it("serves the static list with defaults filled in, per service", async () => {
    const registry = new DirectRegistry(
      [
        { service: "Calc", version: "1.0.0", address: "127.0.0.1:2" },
        { service: "Calc", version: "1.1.0", address: "127.0.0.1:1", weight: 5, metadata: { zone: "a" } },
        { service: "Other", version: "2.0.0", address: "[::1]:3" },
      ],
      { logger },
    );
    const calc = await registry.watch("Calc");
    expect(calc.service).toBe("Calc");
    expect(calc.providers).toEqual([
      { service: "Calc", version: "1.1.0", address: "127.0.0.1:1", weight: 5, metadata: { zone: "a" } },
      { service: "Calc", version: "1.0.0", address: "127.0.0.1:2", weight: 100, metadata: {} },
    ]);
    expect(addresses((await registry.watch("Other")).providers)).toBe("[::1]:3");
    expect((await registry.watch("Missing")).providers).toEqual([]);
    await registry.close();
  });

  it("register() adds in-process and deregister() removes, with one change event each", async () => {
    const registry = new DirectRegistry([provider("Calc", 1)], { logger });
    const watch = await registry.watch("Calc");
    const seen: string[] = [];
    watch.on("change", (list) => seen.push(addresses(list)));
    const registration = await registry.register(provider("Calc", 2));
    await registry.register(provider("Other", 3));
    await registration.deregister();
    await registration.deregister();
    expect(seen).toEqual(["127.0.0.1:1,127.0.0.1:2", "127.0.0.1:1"]);
    await registry.close();
  });

  it("a re-registration of the same address replaces the entry and survives the old deregister", async () => {
    const registry = new DirectRegistry([], { logger });
    const watch = await registry.watch("Calc");
    const first = await registry.register(provider("Calc", 1, "1.0.0"));
    await registry.register(provider("Calc", 1, "1.1.0"));
    await first.deregister();
    expect(watch.providers.map((p) => p.version)).toEqual(["1.1.0"]);
    await registry.close();
  });

  it("does not emit when nothing changed, and off() and close() stop events", async () => {
    const registry = new DirectRegistry([provider("Calc", 1)], { logger });
    const watch = await registry.watch("Calc");
    const closedWatch = await registry.watch("Calc");
    let events = 0;
    let closedEvents = 0;
    const listener = (): void => void events++;
    watch.on("change", listener);
    closedWatch.on("change", () => void closedEvents++);
    await closedWatch.close();
    await registry.register(provider("Calc", 1));
    expect(events).toBe(0);
    await registry.register(provider("Calc", 2));
    expect(events).toBe(1);
    watch.off("change", listener);
    await registry.register(provider("Calc", 3));
    expect(events).toBe(1);
    expect(closedEvents).toBe(0);
    expect(addresses(closedWatch.providers)).toBe("127.0.0.1:1");
    await registry.close();
  });

  it("a throwing listener is logged and does not stop the others", async () => {
    const errors: string[] = [];
    const registry = new DirectRegistry([], {
      logger: {
        ...silentLogger,
        error: (_fields: object | string, message?: string) => void errors.push(message ?? ""),
      },
    });
    const watch = await registry.watch("Calc");
    let reached = false;
    watch.on("change", () => {
      throw new Error("listener bug");
    });
    watch.on("change", () => void (reached = true));
    await registry.register(provider("Calc", 1));
    expect(reached).toBe(true);
    expect(errors).toEqual(["provider watch listener threw"]);
    await registry.close();
  });

  it("refuses a bad static provider, naming its index and field", () => {
    const bad = { service: "Calc", version: "one", address: "127.0.0.1:1" };
    expect(() => new DirectRegistry([provider("Calc", 1), bad], { logger })).toThrowError(
      /providers\[1\]: invalid provider Calc@127.0.0.1:1: version "one" is not a semver version/,
    );
  });

  it("rejects bad register() input, bad service names, unknown events and use after close", async () => {
    const registry = new DirectRegistry([], { logger });
    const bad = { ...provider("Calc", 1), address: "127.0.0.1" } as ProviderInfo;
    await expect(registry.register(bad)).rejects.toMatchObject({ code: Code.INVALID_ARGUMENT });
    await expect(registry.watch("a/b")).rejects.toThrowError(/must not contain '\/'/);
    const watch = await registry.watch("Calc");
    expect(() => watch.on("update" as "change", () => {})).toThrowError(/no event "update"/);
    await registry.close();
    await registry.close();
    const error = await registry.watch("Calc").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe(Code.FAILED_PRECONDITION);
  });
});
