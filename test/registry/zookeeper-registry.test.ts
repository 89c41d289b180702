/**
 * ZooKeeperRegistry on a real ZooKeeper: the registry contract shared with etcd, and
 * what only ZooKeeper does (sequential nodes, a restarted provider's stale node, a
 * deleted node, its options, the optional client library).
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { Code, ZooKeeperRegistry } from "@rpcgen/runtime";
import { useBackendServer, zookeeperBackend } from "./support/backends.js";
import { startProviderProcess } from "./support/child-process.js";
import { describeRegistryContract, freshPrefix } from "./support/registry-contract.js";
import { addresses, provider, RecordingLogger, watchUntil } from "./watch-until.js";

const zookeeper = useBackendServer(zookeeperBackend);
const sessionTimeoutMs = 2_000;

/**
 * Starts provider-process.ts on ZooKeeper; `nodePath` is its node. Its session
 * outlives it by 8 s: time enough, on a loaded machine, to start another process
 * before the session of a killed one expires.
 */
async function startZooKeeperProvider(prefix: string, port: number, version: string) {
  const registry = { kind: "zookeeper" as const, endpoints: zookeeper().endpoints, prefix, lifetimeMs: 8_000 };
  const { child, where } = await startProviderProcess(registry, { service: "Calc", address: `127.0.0.1:${port}`, version });
  return { child, nodePath: where };
}

describe("ZooKeeperRegistry on a real ZooKeeper", { timeout: 60_000 }, () => {
  describeRegistryContract(zookeeperBackend, zookeeper);

  it("skips unreadable nodes (logged), reads plain <host:port> nodes, and follows data changes", async () => {
    const raw = await zookeeper().raw();
    const prefix = freshPrefix();
    const parent = `${prefix}/services/Calc/providers`;
    const value = (version: string, weight = 1): string => JSON.stringify({ version, weight, metadata: {} });
    await raw.create(`${parent}/127.0.0.1:1-0000000001`, "not json");
    await raw.create(`${parent}/127.0.0.1:2-0000000002`, JSON.stringify({ version: "x", weight: 1, metadata: {} }));
    await raw.create(`${parent}/no-port`, value("1.0.0"));
    await raw.create(`${parent}/127.0.0.1:3-0000000003`, value("1.0.0"));
    await raw.create(`${parent}/127.0.0.1:4`, value("1.0.0"), "ephemeral");
    const logger = new RecordingLogger();
    const client = zookeeper().registry({ prefix, logger });
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

  it("a provider restarted on the same address before its old session expired: the newest node wins, no gap", async () => {
    const raw = await zookeeper().raw();
    const prefix = freshPrefix();
    const parent = `${prefix}/services/Calc/providers`;
    const client = zookeeper().registry({ prefix });
    const watch = await client.watch("Calc");
    const lists: string[] = [];
    watch.on("change", (list) => lists.push(list.map((p) => `${p.address}@${p.version}`).join(",")));
    const first = await startZooKeeperProvider(prefix, 7200, "1.0.0");
    await watchUntil(watch, (list) => list[0]?.version === "1.0.0", "the first incarnation");

    first.child.signal("SIGKILL");
    await first.child.exited;
    const second = await startZooKeeperProvider(prefix, 7200, "1.1.0");
    // The old node of the killed process is still there: a stale node of a session that has not expired yet.
    expect(await raw.children(parent)).toEqual(
      [first.nodePath, second.nodePath].map((p) => p.slice(parent.length + 1)).sort(),
    );
    await watchUntil(watch, (list) => list[0]?.version === "1.1.0", "the second incarnation");
    expect(addresses(watch.providers)).toBe("127.0.0.1:7200");

    // The stale node goes when its session expires; the list does not change.
    const left = await raw.childrenUntil(parent, (names) => names.length <= 1, "the stale node gone");
    expect(left).toEqual([second.nodePath.slice(parent.length + 1)]);
    expect(lists).toEqual(["127.0.0.1:7200@1.0.0", "127.0.0.1:7200@1.1.0"]);
    await second.child.kill();
    await client.close();
  });

  it("registers again when its node is deleted by someone else", async () => {
    const raw = await zookeeper().raw();
    const prefix = freshPrefix();
    const logger = new RecordingLogger();
    const server = zookeeper().registry({ prefix, lifetimeMs: sessionTimeoutMs, logger });
    const client = zookeeper().registry({ prefix });
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
});
