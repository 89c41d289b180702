import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const runtimeEntry = fileURLToPath(new URL("../../runtime/index.ts", import.meta.url));

/**
 * Runs `body` in a fresh Node process (through tsx) after importing the runtime,
 * with `loaded()` listing which of etcd3, cockatiel and pino are in the module
 * cache at that point. Resolves with the process's stdout and stderr.
 */
function runFresh(body: string): Promise<{ stdout: string; stderr: string }> {
  const script = `
    import { createRequire } from "node:module";
    const runtime = await import(${JSON.stringify(runtimeEntry)});
    const cache = createRequire(import.meta.url).cache;
    const loaded = () =>
      [...new Set(Object.keys(cache).map((file) => /node_modules\\/(etcd3|cockatiel|pino)\\//.exec(file)?.[1]))]
        .filter(Boolean).sort();
    ${body}
  `;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", script],
      { timeout: 30_000 },
      (error, stdout, stderr) => (error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve({ stdout, stderr })),
    );
  });
}

describe("optional dependencies load on first use", () => {
  it("importing the runtime, making an EtcdRegistry and a default logger loads none of etcd3, cockatiel, pino", async () => {
    const { stdout } = await runFresh(`
      const steps = { imported: loaded() };
      const registry = new runtime.EtcdRegistry({ endpoints: ["http://127.0.0.1:1"] });
      steps.registryCreated = loaded();
      await registry.close();
      steps.registryClosed = loaded();
      const logger = runtime.defaultLogger();
      logger.debug("below the level");
      logger.info({ a: 1 }, "below the level");
      steps.quietLogging = loaded();
      console.log(JSON.stringify(steps));
    `);
    expect(JSON.parse(stdout)).toEqual({ imported: [], registryCreated: [], registryClosed: [], quietLogging: [] });
  });

  it("loads pino at the first line the default logger writes, and writes it to stderr", async () => {
    const { stdout, stderr } = await runFresh(`
      const logger = runtime.defaultLogger();
      logger.warn({ peer: "p1" }, "first warning");
      logger.error("an error without fields");
      console.log(JSON.stringify({ loaded: loaded(), level: logger.level }));
    `);
    expect(JSON.parse(stdout)).toEqual({ loaded: ["pino"], level: "warn" });
    const lines = stderr
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual([
      expect.objectContaining({ level: 40, name: "rpcgen", peer: "p1", msg: "first warning" }),
      expect.objectContaining({ level: 50, name: "rpcgen", msg: "an error without fields" }),
    ]);
  });

  it("loads etcd3 and cockatiel when an EtcdRegistry first needs its client", async () => {
    const { stdout } = await runFresh(`
      const registry = new runtime.EtcdRegistry({ endpoints: ["http://127.0.0.1:1"], requestTimeoutMs: 200, maxReconnectDelayMs: 50 });
      const failure = await registry.watch("lab.Nothing").then(() => "listed", (error) => error.code);
      const after = loaded();
      await registry.close();
      console.log(JSON.stringify({ failure, after }));
    `);
    expect(JSON.parse(stdout)).toEqual({ failure: "UNAVAILABLE", after: ["cockatiel", "etcd3"] });
  });
});
