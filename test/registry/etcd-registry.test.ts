import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { Etcd3 } from "etcd3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, EtcdRegistry, RpcError, silentLogger, type ProviderWatch } from "@rpcgen/runtime";
import { startEtcd, type EtcdCluster } from "../support/etcd-cluster.js";
import { addresses, provider, RecordingLogger, watchUntil } from "./watch-until.js";

let etcd: EtcdCluster;
let raw: Etcd3;
let prefixCount = 0;
const freshPrefix = (): string => `/rpcgen-test-${process.pid}-${++prefixCount}`;

beforeAll(async () => {
  etcd = await startEtcd({ members: 1 });
  raw = new Etcd3({ hosts: etcd.endpoints });
});

afterAll(async () => {
  raw?.close();
  await etcd?.stop();
});

describe("EtcdRegistry on a real etcd", { timeout: 90_000 }, () => {
  it("register → the watch sees it under the documented key; deregister → the watch drops it", async () => {
    const prefix = freshPrefix();
    const server = new EtcdRegistry({
      endpoints: etcd.endpoints,
      prefix,
      ttlSeconds: 2,
      logger: silentLogger,
    });
    const client = new EtcdRegistry({ endpoints: etcd.endpoints, prefix, logger: silentLogger });
    const watch = await client.watch("Calc");
    expect(watch.providers).toEqual([]);

    const registration = await server.register({
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

    const stored = await raw.get(`${prefix}/services/Calc/providers/127.0.0.1:7001`).exec();
    expect(stored.kvs).toHaveLength(1);
    expect(JSON.parse(stored.kvs[0]!.value.toString())).toEqual({
      version: "1.2.0",
      weight: 5,
      metadata: { zone: "a" },
    });
    expect(stored.kvs[0]!.lease).not.toBe("0");

    await registration.deregister();
    await watchUntil(watch, (list) => list.length === 0, "the provider removed");
    expect((await raw.get(`${prefix}/services/Calc/providers/127.0.0.1:7001`).exec()).kvs).toHaveLength(0);
    await Promise.all([server.close(), client.close()]);
  });

  it("a second watcher gets the full list at once, and services do not mix", async () => {
    const prefix = freshPrefix();
    const server = new EtcdRegistry({ endpoints: etcd.endpoints, prefix, logger: silentLogger });
    await server.register(provider("Calc", 7001));
    await server.register(provider("Calc", 7002, "2.0.0"));
    await server.register(provider("Calculator", 7003));
    const client = new EtcdRegistry({ endpoints: etcd.endpoints, prefix, logger: silentLogger });
    const watch = await client.watch("Calc");
    expect(addresses(watch.providers)).toBe("127.0.0.1:7001,127.0.0.1:7002");
    expect(watch.providers.map((p) => p.version)).toEqual(["1.0.0", "2.0.0"]);
    await client.close();
    // close() deregisters everything this registry registered.
    await server.close();
    expect((await raw.getAll().prefix(prefix).keys()).length).toBe(0);
  });

  it("skips unreadable entries (logged) and keeps the readable ones", async () => {
    const prefix = freshPrefix();
    const base = `${prefix}/services/Calc/providers/`;
    await raw.put(`${base}127.0.0.1:1`).value("not json");
    await raw.put(`${base}127.0.0.1:2`).value(JSON.stringify({ version: "x", weight: 1, metadata: {} }));
    await raw.put(`${base}127.0.0.1:3`).value(JSON.stringify({ version: "1.0.0", weight: 1, metadata: {} }));
    await raw
      .put(`${base}127.0.0.1:4/extra`)
      .value(JSON.stringify({ version: "1.0.0", weight: 1, metadata: {} }));
    const logger = new RecordingLogger();
    const client = new EtcdRegistry({ endpoints: etcd.endpoints, prefix, logger });
    const watch = await client.watch("Calc");
    expect(addresses(watch.providers)).toBe("127.0.0.1:3");
    expect(logger.count("ignoring an unreadable provider entry in etcd")).toBe(3);
    await raw.put(`${base}127.0.0.1:5`).value("[]");
    await raw
      .put(`${base}127.0.0.1:6`)
      .value(JSON.stringify({ version: "1.0.0", weight: 1, metadata: { a: 1 } }));
    await raw.put(`${base}127.0.0.1:7`).value(JSON.stringify({ version: "1.0.0", weight: 2, metadata: {} }));
    await watchUntil(watch, (list) => addresses(list) === "127.0.0.1:3,127.0.0.1:7", "the readable entries");
    expect(logger.count("ignoring an unreadable provider entry in etcd")).toBe(5);
    await client.close();
    await raw.delete().prefix(prefix);
  });

  it("a killed provider (SIGKILL, keepalive stops) disappears once its 2 s lease expires", async () => {
    const prefix = freshPrefix();
    const client = new EtcdRegistry({ endpoints: etcd.endpoints, prefix, logger: silentLogger });
    const watch = await client.watch("Calc");
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        fileURLToPath(new URL("./provider-process.ts", import.meta.url)),
        etcd.endpoints[0]!,
        prefix,
        "2",
        "Calc",
        "127.0.0.1:7100",
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const exited = once(child, "exit");
    try {
      await watchUntil(watch, (list) => addresses(list) === "127.0.0.1:7100", "the child's provider", 30_000);
      expect(watch.providers[0]!.metadata.pid).toBe(String(child.pid));
      const killedAt = Date.now();
      child.kill("SIGKILL");
      await exited;
      await watchUntil(watch, (list) => list.length === 0, "the killed provider gone", 20_000);
      console.log(
        `[registry] killed provider (ttl 2 s) dropped from the watch after ${Date.now() - killedAt} ms`,
      );
    } finally {
      child.kill("SIGKILL");
      await client.close();
    }
  });

  it("refuses bad options with a clear error", () => {
    expect(() => new EtcdRegistry({ endpoints: [] })).toThrowError(/endpoints must be a non-empty array/);
    expect(() => new EtcdRegistry({ endpoints: ["ftp://x:1"] })).toThrowError(
      /endpoints\[0\] "ftp:\/\/x:1"/,
    );
    // Options it does not know (say, credentials under another name) are mistakes, not silently ignored.
    expect(() => new EtcdRegistry({ endpoints: ["http://x:1"], credentials: {} } as never)).toThrowError(/unknown option "credentials"/);
    expect(() => new EtcdRegistry({ endpoints: ["http://x:1"], ttlSeconds: 0.5 })).toThrowError(
      /ttlSeconds 0.5/,
    );
    expect(() => new EtcdRegistry({ endpoints: ["x:1"], prefix: "rpcgen/" })).toThrowError(
      /prefix "rpcgen\/" must start with '\/'/,
    );
    expect(() => new EtcdRegistry({ endpoints: ["x:1"], requestTimeoutMs: 0 })).toThrowError(
      /requestTimeoutMs 0/,
    );
    expect(() => new EtcdRegistry({ endpoints: ["x:1"], maxReconnectDelayMs: -1 })).toThrowError(
      expect.objectContaining({ code: Code.INVALID_ARGUMENT }),
    );
  });

  it("rejects watch() and register() with UNAVAILABLE when etcd cannot be reached", async () => {
    const other = await startEtcd({ members: 1 });
    const endpoints = other.endpoints;
    await other.stop();
    const registry = new EtcdRegistry({ endpoints, requestTimeoutMs: 1_000, logger: silentLogger });
    const watchError = await registry.watch("Calc").catch((e: unknown) => e);
    expect(watchError).toBeInstanceOf(RpcError);
    expect(watchError).toMatchObject({ code: Code.UNAVAILABLE });
    expect((watchError as RpcError).message).toMatch(/could not list providers of Calc from etcd/);
    const registerError = await registry.register(provider("Calc", 1)).catch((e: unknown) => e);
    expect(registerError).toMatchObject({ code: Code.UNAVAILABLE });
    expect((registerError as RpcError).cause).toBeInstanceOf(Error);
    await registry.close();
    await expect(registry.register(provider("Calc", 1))).rejects.toMatchObject({
      code: Code.FAILED_PRECONDITION,
    });
  });

  it("a closed watch emits nothing more and keeps its last list", async () => {
    const prefix = freshPrefix();
    const registry = new EtcdRegistry({ endpoints: etcd.endpoints, prefix, logger: silentLogger });
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
