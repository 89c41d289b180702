/**
 * A server built from a generated `registerX` and run with two worker
 * processes (`listen({ workers: 2 })`) answers generated clients over every
 * transport, from both workers, and shuts down gracefully on SIGTERM.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Channel, silentLogger } from "@rpcgen/runtime";
import { type GeneratedModule, type GeneratedStubs, generateStubs, repoRoot } from "./support/generated-stubs.js";
import { openInvoker, transportNames } from "./support/transports.js";

const entryScript = path.join(repoRoot, "test/e2e/support/worker-server-entry.ts");

let stubs: GeneratedStubs;
let roundtrip: GeneratedModule;
let serverProcess: ChildProcess;
let port: number;
let stderr = "";

beforeAll(async () => {
  stubs = await generateStubs("workers", "roundtrip.thrift");
  roundtrip = await stubs.load("roundtrip");
  serverProcess = spawn(process.execPath, ["--import", "tsx", entryScript], {
    cwd: repoRoot,
    env: { ...process.env, E2E_STUBS_DIR: stubs.dir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  serverProcess.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: serverProcess.stdout! });
  port = await new Promise<number>((resolve, reject) => {
    serverProcess.once("exit", (code) => reject(new Error(`the server exited early with code ${code}: ${stderr}`)));
    lines.on("line", (line) => {
      const match = /^listening on [\d.]+:(\d+)$/.exec(line);
      if (match) resolve(Number(match[1]));
    });
  });
}, 60_000);

afterAll(async () => {
  if (serverProcess !== undefined && serverProcess.exitCode === null && serverProcess.signalCode === null) {
    const exited = once(serverProcess, "exit");
    serverProcess.kill("SIGKILL");
    await exited;
  }
  stubs?.dispose();
});

describe("a two-worker server from generated registerLoudEcho", () => {
  it.each(transportNames)("answers a generated client over %s", async (transport) => {
    const invoker = openInvoker(transport, port);
    try {
      const client = new roundtrip["LoudEchoClient"](invoker);
      expect(await client.add(40, 2)).toBe(42);
      expect(await client.echoI64(-(2n ** 63n))).toBe(-(2n ** 63n));
      expect(await client.shout("workers")).toBe("WORKERS");
      const tree = { label: "root", children: [{ label: "leaf" }] };
      expect(await client.echoTree(tree)).toEqual(tree);
      const error = await client.find(-1n).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(roundtrip["NotFound"]);
      expect(error.key).toBe(-1n);
      expect(await client.whoAmI()).toMatch(/^worker \d+$/);
    } finally {
      await invoker.close();
    }
  });

  it("serves connections from both workers", async () => {
    const pids = new Set<string>();
    // The primary hands connections to the workers in turn; a few connections reach both.
    for (let attempt = 0; attempt < 20 && pids.size < 2; attempt++) {
      const channel = new Channel({ address: `127.0.0.1:${port}`, codec: "binary", logger: silentLogger });
      try {
        pids.add(await new roundtrip["LoudEchoClient"](channel).whoAmI());
      } finally {
        await channel.close();
      }
    }
    expect(pids.size).toBe(2);
    expect([...pids].every((who) => who !== `worker ${serverProcess.pid}`)).toBe(true);
  });

  it("exits with code 0 on SIGTERM, closing the workers", async () => {
    const exited = once(serverProcess, "exit");
    serverProcess.kill("SIGTERM");
    const [code] = await exited;
    expect(code, stderr).toBe(0);
  });
});
