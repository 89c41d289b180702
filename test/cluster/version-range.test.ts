/** Version ranges pick providers registered in a real etcd by real provider processes. */
import { execFile } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, RpcError, silentLogger } from "@rpcgen/runtime";
import { connectInventory, runInventoryLoad } from "../../examples/cluster/client.js";
import { startCluster, type ClusterFixture } from "./cluster-fixture.js";

let fixture: ClusterFixture;
let addressOf: Record<string, string>;
beforeAll(async () => {
  fixture = await startCluster({ etcdMembers: 1 });
  const providers = await fixture.addProviders(["1.0.0", "1.1.0", "2.0.0", "2.1.0-beta.1"]);
  addressOf = Object.fromEntries(providers.map((p) => [p.version, p.address]));
});
afterAll(async () => {
  await fixture?.stop();
});

describe("version ranges over etcd", () => {
  it.each([
    [">=1.0 <2", ["1.0.0", "1.1.0"]],
    ["^2", ["2.0.0"]],
    ["~1.1", ["1.1.0"]],
    ["*", ["1.0.0", "1.1.0", "2.0.0"]],
    [">=2.1.0-beta.0 <3", ["2.1.0-beta.1"]],
  ])("%s calls exactly %j", async (range, versions) => {
    const { client, invoker } = await connectInventory(fixture.registry(), {
      versionRange: range,
      logger: silentLogger,
    });
    const result = await runInventoryLoad(client, { total: 200, concurrency: 8, method: "stock" });
    await invoker.close();
    expect(result.failed).toBe(0);
    // Round-robin: every selected provider answers, and no other does.
    expect([...result.byProvider.keys()].sort()).toEqual(versions.map((v) => addressOf[v]).sort());
  });

  it("fails with UNAVAILABLE naming the versions seen when nothing matches", async () => {
    const { client, invoker } = await connectInventory(fixture.registry(), {
      versionRange: "^3",
      logger: silentLogger,
    });
    const error = await client.stock("apple", 0).catch((e: unknown) => e);
    await invoker.close();
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe(Code.UNAVAILABLE);
    expect((error as RpcError).message).toContain('"^3"');
    expect((error as RpcError).message).toContain("2.0.0");
  });

  it("is what the client program prints when given a range", async () => {
    const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        "--import",
        "tsx",
        "examples/cluster/client.ts",
        "--etcd",
        fixture.etcd.endpoints.join(","),
        "--prefix",
        fixture.prefix,
        "--range",
        "~1.1",
        "--calls",
        "120",
      ],
      { cwd: repoRoot },
    );
    expect(stdout).toBe(`answers per provider: ${addressOf["1.1.0"]} = 120\ncalls: 120, failed: 0\n`);
  });
});
