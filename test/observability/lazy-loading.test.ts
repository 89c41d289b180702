import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const runtimeEntry = fileURLToPath(new URL("../../runtime/index.ts", import.meta.url));

/**
 * Runs `body` in a fresh Node process (through tsx) after importing the
 * runtime; `loaded()` lists which of prom-client and @opentelemetry/api are in
 * the module cache at that point.
 */
function runFresh(body: string): Promise<string> {
  const script = `
    import { createRequire } from "node:module";
    const runtime = await import(${JSON.stringify(runtimeEntry)});
    const cache = createRequire(import.meta.url).cache;
    const loaded = () =>
      [...new Set(Object.keys(cache).map((file) => /node_modules\\/(prom-client|@opentelemetry\\/api)\\//.exec(file)?.[1]))]
        .filter(Boolean).sort();
    const serveOnce = async (options) => {
      const server = new runtime.Server({ logger: runtime.silentLogger, ...options });
      const { port } = await server.listen({ port: 0 });
      const health = await fetch("http://127.0.0.1:" + port + "/health").then((r) => r.status);
      await server.close({ graceMs: 100 });
      return health;
    };
    ${body}
  `;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { timeout: 30_000 }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

describe("observability's dependencies load only when turned on", () => {
  it("a server without metrics or tracing loads neither prom-client nor @opentelemetry/api, and still answers /health", async () => {
    const out = await runFresh(`
      const health = await serveOnce({});
      console.log(JSON.stringify({ health, loaded: loaded() }));
    `);
    expect(JSON.parse(out)).toEqual({ health: 200, loaded: [] });
  });

  it("tracing loads @opentelemetry/api only; metrics load prom-client (which itself requires @opentelemetry/api)", async () => {
    const out = await runFresh(`
      await serveOnce({ observability: { tracing: true } });
      const afterTracing = loaded();
      await serveOnce({ observability: { metrics: true } });
      console.log(JSON.stringify({ afterTracing, afterMetrics: loaded() }));
    `);
    expect(JSON.parse(out)).toEqual({ afterTracing: ["@opentelemetry/api"], afterMetrics: ["@opentelemetry/api", "prom-client"] });
  });
});
