import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, RpcError, silentLogger, ZooKeeperRegistry, type ProviderWatch } from "@rpcgen/runtime";
import { startZooKeeper, type ZooKeeperEnsemble } from "../support/zookeeper-server.js";
import { addresses, provider, RecordingLogger, watchUntil } from "./watch-until.js";
import { startChild, type ChildProcessHandle } from "./zookeeper-child-process.js";
import { connectRaw, type RawZooKeeper } from "./zookeeper-raw-client.js";

let zookeeper: ZooKeeperEnsemble;
let raw: RawZooKeeper;
const children: ChildProcessHandle[] = [];
let prefixCount = 0;
const freshPrefix = (): string => `/rpcgen-test-${process.pid}-${++prefixCount}`;
const sessionTimeoutMs = 2_000;

beforeAll(async () => {
  zookeeper = await startZooKeeper({ servers: 1 });
  raw = await connectRaw(zookeeper.connectString);
});

afterAll(async () => {
  await Promise.all(children.map((child) => child.kill()));
  raw?.close();
  await zookeeper?.stop();
});

/** Starts zookeeper-provider-process.ts and waits for its "registered <path>" line. */
async function startProviderProcess(prefix: string, port: number, version: string) {
  const child = startChild("./zookeeper-provider-process.ts", [
    zookeeper.connectString,
    prefix,
    String(sessionTimeoutMs),
    "Calc",
    `127.0.0.1:${port}`,
    version,
  ]);
  children.push(child);
  const line = await child.waitForLine((l) => l.startsWith("registered "), '"registered"', {
    from: 0,
    timeoutMs: 30_000,
  });
  return { child, nodePath: line.slice("registered ".length) };
}

describe("ZooKeeperRegistry on a real ZooKeeper", { timeout: 60_000 }, () => {
  it("register → an ephemeral sequential node under the documented path, seen by the watch; deregister → gone", async () => {
    const prefix = freshPrefix();
    const server = new ZooKeeperRegistry({
      servers: zookeeper.servers,
      prefix,
      sessionTimeoutMs,
      logger: silentLogger,
    });
    const client = new ZooKeeperRegistry({ servers: zookeeper.servers, prefix, logger: silentLogger });
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

    const parent = `${prefix}/services/Calc/providers`;
    const names = await raw.children(parent);
    expect(names).toHaveLength(1);
    expect(names[0]).toMatch(/^127\.0\.0\.1:7001-\d{10}$/);
    const node = await raw.read(`${parent}/${names[0]}`);
    expect(JSON.parse(node!.text)).toEqual({ version: "1.2.0", weight: 5, metadata: { zone: "a" } });
    expect(node!.stat.ephemeralOwner.equals(Buffer.alloc(8))).toBe(false);

    await registration.deregister();
    await watchUntil(watch, (list) => list.length === 0, "the provider removed");
    expect(await raw.children(parent)).toEqual([]);
    await Promise.all([server.close(), client.close()]);
  });

  it("a second watcher gets the full list at once, services do not mix, close() removes every node", async () => {
    const prefix = freshPrefix();
    const server = new ZooKeeperRegistry({ servers: zookeeper.servers, prefix, logger: silentLogger });
    await server.register(provider("Calc", 7001));
    await server.register(provider("Calc", 7002, "2.0.0"));
    await server.register(provider("Calculator", 7003));
    const client = new ZooKeeperRegistry({ servers: zookeeper.servers, prefix, logger: silentLogger });
    const watch = await client.watch("Calc");
    expect(addresses(watch.providers)).toBe("127.0.0.1:7001,127.0.0.1:7002");
    expect(watch.providers.map((p) => p.version)).toEqual(["1.0.0", "2.0.0"]);
    const other = await client.watch("Calculator");
    expect(addresses(other.providers)).toBe("127.0.0.1:7003");
    await server.close();
    await watchUntil(watch, (list) => list.length === 0, "every provider gone after close()");
    expect(await raw.children(`${prefix}/services/Calc/providers`)).toEqual([]);
    expect(await raw.children(`${prefix}/services/Calculator/providers`)).toEqual([]);
    await client.close();
  });

  it("skips unreadable nodes (logged), reads plain <host:port> nodes, and follows data changes", async () => {
    const prefix = freshPrefix();
    const parent = `${prefix}/services/Calc/providers`;
    const value = (version: string, weight = 1): string => JSON.stringify({ version, weight, metadata: {} });
    await raw.create(`${parent}/127.0.0.1:1-0000000001`, "not json");
    await raw.create(`${parent}/127.0.0.1:2-0000000002`, JSON.stringify({ version: "x", weight: 1, metadata: {} }));
    await raw.create(`${parent}/no-port`, value("1.0.0"));
    await raw.create(`${parent}/127.0.0.1:3-0000000003`, value("1.0.0"));
    await raw.create(`${parent}/127.0.0.1:4`, value("1.0.0"), "ephemeral");
    const logger = new RecordingLogger();
    const client = new ZooKeeperRegistry({ servers: zookeeper.servers, prefix, logger });
    const watch = await client.watch("Calc");
    expect(addresses(watch.providers)).toBe("127.0.0.1:3,127.0.0.1:4");
    expect(logger.count("ignoring an unreadable provider node in ZooKeeper")).toBe(3);

    await raw.create(`${parent}/127.0.0.1:5-0000000005`, "[]");
    await raw.create(`${parent}/127.0.0.1:6-0000000006`, value("1.0.0", 2));
    await watchUntil(watch, (list) => addresses(list) === "127.0.0.1:3,127.0.0.1:4,127.0.0.1:6", "the readable nodes");
    expect(logger.count("ignoring an unreadable provider node in ZooKeeper")).toBe(4);

    // A node whose data changes is read again (its data watch fired), also an unreadable one that is fixed.
    await raw.write(`${parent}/127.0.0.1:6-0000000006`, value("1.5.0", 2));
    await raw.write(`${parent}/127.0.0.1:5-0000000005`, value("1.0.0"));
    await watchUntil(
      watch,
      (list) =>
        addresses(list) === "127.0.0.1:3,127.0.0.1:4,127.0.0.1:5,127.0.0.1:6" &&
        list.find((p) => p.address === "127.0.0.1:6")?.version === "1.5.0",
      "the changed version and the fixed node",
    );
    await client.close();
    await raw.removeTree(prefix);
  });

  it("a provider killed with SIGKILL leaves the list once its session expires", async () => {
    const prefix = freshPrefix();
    const client = new ZooKeeperRegistry({ servers: zookeeper.servers, prefix, logger: silentLogger });
    const watch = await client.watch("Calc");
    const { child } = await startProviderProcess(prefix, 7100, "1.0.0");
    await watchUntil(watch, (list) => addresses(list) === "127.0.0.1:7100", "the child's provider");
    expect(watch.providers[0]!.metadata.pid).toBe(String(child.pid));
    const killedAt = Date.now();
    child.signal("SIGKILL");
    await child.exited;
    await watchUntil(watch, (list) => list.length === 0, "the killed provider gone", 20_000);
    const elapsed = Date.now() - killedAt;
    console.log(
      `[zookeeper] kill -9 → provider left the watch's list after ${elapsed} ms (session timeout ${sessionTimeoutMs} ms)`,
    );
    expect(elapsed).toBeGreaterThanOrEqual(sessionTimeoutMs - 2 * zookeeper.tickTimeMs);
    await client.close();
  });

  it("a provider restarted on the same address before its old session expired: the newest node wins, no gap", async () => {
    const prefix = freshPrefix();
    const parent = `${prefix}/services/Calc/providers`;
    const client = new ZooKeeperRegistry({ servers: zookeeper.servers, prefix, logger: silentLogger });
    const watch = await client.watch("Calc");
    const lists: string[] = [];
    watch.on("change", (list) => lists.push(list.map((p) => `${p.address}@${p.version}`).join(",")));
    const first = await startProviderProcess(prefix, 7200, "1.0.0");
    await watchUntil(watch, (list) => list[0]?.version === "1.0.0", "the first incarnation");

    first.child.signal("SIGKILL");
    await first.child.exited;
    const second = await startProviderProcess(prefix, 7200, "1.1.0");
    // The old node of the killed process is still there: a stale node of a session that has not expired yet.
    expect(await raw.children(parent)).toEqual(
      [first.nodePath, second.nodePath].map((p) => p.slice(parent.length + 1)).sort(),
    );
    await watchUntil(watch, (list) => list[0]?.version === "1.1.0", "the second incarnation");
    expect(addresses(watch.providers)).toBe("127.0.0.1:7200");

    // The stale node goes when its session expires; the list does not change.
    const deadline = Date.now() + 20_000;
    while ((await raw.children(parent)).length > 1 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 100));
    expect(await raw.children(parent)).toEqual([second.nodePath.slice(parent.length + 1)]);
    expect(lists).toEqual(["127.0.0.1:7200@1.0.0", "127.0.0.1:7200@1.1.0"]);
    await second.child.kill();
    await client.close();
  });

  it("registers again when its node is deleted by someone else", async () => {
    const prefix = freshPrefix();
    const logger = new RecordingLogger();
    const server = new ZooKeeperRegistry({ servers: zookeeper.servers, prefix, sessionTimeoutMs, logger });
    const client = new ZooKeeperRegistry({ servers: zookeeper.servers, prefix, logger: silentLogger });
    const watch = await client.watch("Calc");
    await server.register(provider("Calc", 7001));
    const parent = `${prefix}/services/Calc/providers`;
    const [firstNode] = await raw.children(parent);
    await raw.remove(`${parent}/${firstNode}`);
    await logger.waitFor("provider registered again in ZooKeeper", 0);
    await watchUntil(watch, (list) => addresses(list) === "127.0.0.1:7001", "the provider back");
    const [secondNode] = await raw.children(parent);
    expect(secondNode).not.toBe(firstNode);
    expect(logger.count("provider node vanished from ZooKeeper; registering again")).toBe(1);
    await Promise.all([server.close(), client.close()]);
    expect(await raw.children(parent)).toEqual([]);
  });

  it("refuses bad options with a clear error", () => {
    expect(() => new ZooKeeperRegistry({ servers: [] })).toThrowError(/servers must be a non-empty array/);
    expect(() => new ZooKeeperRegistry({ servers: ["http://x:1"] })).toThrowError(/servers\[0\] "http:\/\/x:1"/);
    expect(() => new ZooKeeperRegistry({ servers: ["x:99999"] })).toThrowError(/servers\[0\]/);
    expect(() => new ZooKeeperRegistry({ servers: ["x:1"], prefix: "rpcgen/" })).toThrowError(/prefix "rpcgen\/"/);
    expect(() => new ZooKeeperRegistry({ servers: ["x:1"], prefix: "/a//b" })).toThrowError(/prefix/);
    expect(() => new ZooKeeperRegistry({ servers: ["x:1"], sessionTimeoutMs: 0 })).toThrowError(/sessionTimeoutMs 0/);
    expect(() => new ZooKeeperRegistry({ servers: ["x:1"], connectTimeoutMs: -1 })).toThrowError(
      expect.objectContaining({ code: Code.INVALID_ARGUMENT }),
    );
  });

  it("rejects watch() and register() with UNAVAILABLE when ZooKeeper cannot be reached", async () => {
    const registry = new ZooKeeperRegistry({ servers: ["127.0.0.1:1"], connectTimeoutMs: 500, logger: silentLogger });
    const watchError = await registry.watch("Calc").catch((e: unknown) => e);
    expect(watchError).toBeInstanceOf(RpcError);
    expect(watchError).toMatchObject({ code: Code.UNAVAILABLE });
    expect((watchError as RpcError).message).toMatch(/could not list providers of Calc from ZooKeeper/);
    const registerError = await registry.register(provider("Calc", 1)).catch((e: unknown) => e);
    expect(registerError).toMatchObject({ code: Code.UNAVAILABLE });
    expect((registerError as RpcError).message).toMatch(/could not register Calc@127.0.0.1:1 in ZooKeeper/);
    await registry.close();
    await expect(registry.register(provider("Calc", 1))).rejects.toMatchObject({ code: Code.FAILED_PRECONDITION });
  });

  it("names the npm package to install when node-zookeeper-client cannot be loaded", async () => {
    const run = async (hideLibrary: boolean): Promise<string> => {
      const hook = hideLibrary ? ["--import", "./zookeeper-hide-library.mjs"] : [];
      const { stdout } = await promisify(execFile)(
        process.execPath,
        ["--import", "tsx", ...hook, "zookeeper-without-library.ts"],
        { cwd: fileURLToPath(new URL(".", import.meta.url)), timeout: 30_000 },
      );
      return stdout.trim();
    };
    const [hidden, installed] = await Promise.all([run(true), run(false)]);
    expect(hidden).toBe(
      "error FAILED_PRECONDITION ZooKeeperRegistry needs the npm package node-zookeeper-client, which could not be loaded " +
        "(Cannot find package 'node-zookeeper-client'); install it with: npm install node-zookeeper-client",
    );
    // With the package in place the same program gets as far as trying to connect.
    expect(installed).toMatch(/^error UNAVAILABLE could not list providers of Calc from ZooKeeper/);
  });

  it("a closed watch emits nothing more and keeps its last list", async () => {
    const prefix = freshPrefix();
    const registry = new ZooKeeperRegistry({ servers: zookeeper.servers, prefix, logger: silentLogger });
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
