/**
 * The "done when", against the calculator example started as a user
 * would (`npm run calculator:server -- --port 0`), with curl, redis-cli and the
 * built `bin/rpcgen` as the clients.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { SpanKind } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Channel, observeClient, silentLogger, withInterceptors } from "@rpcgen/runtime";
import { CalculatorClient, CalculatorService } from "../../examples/calculator/gen/calculator.js";

const run = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** `bin/rpcgen` runs dist/: build it when the CLI sources are newer than what was built. */
function ensureBuilt(): void {
  const built = path.join(repoRoot, "dist/generator/cli/call-command.js");
  const sources = ["generator/cli/call-command.ts", "generator/cli/list-command.ts", "generator/cli/server-target.ts", "runtime/observability/reflection/reflected-descriptors.ts"];
  const stale = (() => {
    try {
      const builtAt = statSync(built).mtimeMs;
      return sources.some((source) => statSync(path.join(repoRoot, source)).mtimeMs > builtAt);
    } catch {
      return true;
    }
  })();
  // tsc still writes the files when other parts of the tree have type errors; the CLI is checked by its result below.
  if (stale) spawnSync("npm", ["run", "build"], { cwd: repoRoot, stdio: "ignore", timeout: 120_000 });
}

interface CalculatorProcess {
  readonly child: ChildProcess;
  readonly port: number;
  /** Everything the server wrote on stderr so far (its pino logs and, with --trace-log, spans). */
  stderr(): string;
}

async function startCalculatorProcess(extra: string[] = []): Promise<CalculatorProcess> {
  const child = spawn("npm", ["run", "calculator:server", "--", "--port", "0", ...extra], { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the calculator server did not start within 30 s\n${stderr}`)), 30_000);
    child.once("exit", (code) => reject(new Error(`the calculator server exited with ${code}\n${stderr}`)));
    lines.on("line", (line) => {
      const match = /^listening on [\d.]+:(\d+)$/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
  });
  return { child, port, stderr: () => stderr };
}

/** The server process itself: npm runs sh, which runs tsx, which runs node; the last one serves. */
/**
 * The process that runs the server: `npm run` starts a shell, which starts tsx, which
 * starts node with the script (tsx also starts an esbuild service beside it). The
 * deepest descendant whose command line names the server script is the server.
 */
function serverPid(root: number): number {
  let found = root;
  const visit = (pid: number): void => {
    const children = spawnSync("pgrep", ["-P", String(pid)], { encoding: "utf8" }).stdout.trim().split("\n").filter(Boolean).map(Number);
    for (const child of children) {
      let commandLine = "";
      try {
        commandLine = readFileSync(`/proc/${child}/cmdline`, "utf8");
      } catch {
        continue; // Already gone.
      }
      if (commandLine.includes("server.ts")) found = child;
      visit(child);
    }
  };
  visit(root);
  return found;
}

async function stop(server: CalculatorProcess | undefined): Promise<void> {
  if (server === undefined || server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once("exit", resolve));
  try {
    process.kill(serverPid(server.child.pid!), "SIGTERM");
  } catch {
    // Already gone.
  }
  server.child.kill("SIGTERM");
  await exited;
}

function rpcgen(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return run(process.execPath, [path.join(repoRoot, "bin/rpcgen"), ...args], { timeout: 20_000 }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );
}

function curl(...args: string[]): Promise<string> {
  return run("curl", ["-s", "--max-time", "10", ...args], { timeout: 20_000 }).then(({ stdout }) => stdout);
}

let calculator: CalculatorProcess | undefined;

beforeAll(async () => {
  ensureBuilt();
  calculator = await startCalculatorProcess();
}, 150_000);

afterAll(() => stop(calculator));

describe("the calculator server started by npm run calculator:server -- --port 0", () => {
  it("after five redis-cli CALL Calculator.add 1 2, GET /metrics on the same port counts ≥ 5 calls labelled Calculator and add", async () => {
    const port = String(calculator!.port);
    for (let i = 0; i < 5; i++) expect((await run("redis-cli", ["-p", port, "CALL", "Calculator.add", "1", "2"])).stdout.trim()).toBe("3");
    const metrics = await curl(`http://127.0.0.1:${port}/metrics`);
    const counts = metrics
      .split("\n")
      .filter((line) => line.startsWith("rpc_server_duration_seconds_count{") && line.includes('rpc_service="Calculator"') && line.includes('rpc_method="add"'));
    const total = counts.reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
    expect(total).toBeGreaterThanOrEqual(5);
  });

  it("rpcgen call 127.0.0.1:PORT Calculator.add 1 2 prints 3", async () => {
    const result = await rpcgen("call", `127.0.0.1:${calculator!.port}`, "Calculator.add", "1", "2");
    expect(result).toEqual({ code: 0, stdout: "3\n", stderr: "" });
  });

  it("rpcgen call takes --json, --metadata and --timeout, and exits 64 + the status number with the code on failure", async () => {
    const address = `127.0.0.1:${calculator!.port}`;
    expect((await rpcgen("call", address, "Calculator.add", "--json", '{"a":40,"b":2}', "--metadata", "x-request=7", "--timeout", "2000")).stdout).toBe("42\n");
    expect((await rpcgen("call", address, "Calculator.multiply", "-3", "3074457345618258602")).stdout).toBe("-9223372036854775806\n");
    const divide = await rpcgen("call", address, "Calculator.divide", "1", "0");
    expect(divide.code).toBe(66);
    expect(divide.stderr).toBe('rpcgen: DivideByZero {"message":"cannot divide 1 by zero","dividend":1}\n');
    const bad = await rpcgen("call", address, "Calculator.add", "one", "2");
    expect(bad.code).toBe(64 + 3);
    expect(bad.stderr).toContain("INVALID_ARGUMENT");
    const unreachable = await rpcgen("call", "127.0.0.1:1", "Calculator.add", "1", "2");
    expect(unreachable.code).toBe(64 + 14);
    expect(unreachable.stderr).toMatch(/^rpcgen: UNAVAILABLE: /);
    expect((await rpcgen("call", address)).code).toBe(2);
  });

  it("rpcgen list 127.0.0.1:PORT shows every Calculator method with its argument and result types", async () => {
    const result = await rpcgen("list", `127.0.0.1:${calculator!.port}`);
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines.map((line) => line.slice(0, line.indexOf("(")))).toEqual(Object.keys(CalculatorService.methods).map((name) => `Calculator.${name}`));
    expect(lines).toContain("Calculator.add(a: i32, b: i32) -> i32");
    expect(lines).toContain("Calculator.divide(dividend: i32, divisor: i32) -> i32 throws DivideByZero");
    expect(lines).toContain("Calculator.calculate(batch: list<Work>) -> Report throws DivideByZero");
  });

  it("rpcgen call and list pass --token to a server that requires one", async () => {
    const secured = await startCalculatorProcess(["--auth-token", "s3cret", "--drain-delay-ms", "0"]);
    try {
      const address = `127.0.0.1:${secured.port}`;
      const refused = await rpcgen("call", address, "Calculator.add", "1", "2");
      expect(refused.code).toBe(64 + 16);
      expect(refused.stderr).toMatch(/^rpcgen: UNAUTHENTICATED: /);
      expect(await rpcgen("call", address, "Calculator.add", "1", "2", "--token", "s3cret")).toEqual({ code: 0, stdout: "3\n", stderr: "" });
      expect((await rpcgen("list", address, "--token=s3cret")).stdout).toContain("Calculator.add(a: i32, b: i32) -> i32\n");
    } finally {
      await stop(secured);
    }
  });

  it("a trace spans the client and the server process", async () => {
    const traced = await startCalculatorProcess(["--trace-log"]);
    try {
      const exporter = new InMemorySpanExporter();
      const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
      const channel = new Channel({ address: `127.0.0.1:${traced.port}`, logger: silentLogger });
      const client = new CalculatorClient(withInterceptors(channel, observeClient({ tracing: { tracerProvider: provider } })));
      expect(await client.add(1, 2)).toBe(3);
      await channel.close();
      const [clientSpan] = exporter.getFinishedSpans();
      expect(clientSpan?.kind).toBe(SpanKind.CLIENT);
      const { traceId, spanId } = clientSpan!.spanContext();
      // The server writes its span as a JSON line once the call ends; wait for it.
      const deadline = Date.now() + 10_000;
      let serverSpan: { traceId: string; parentSpanId?: string; name: string; kind: number } | undefined;
      while (serverSpan === undefined && Date.now() < deadline) {
        serverSpan = traced
          .stderr()
          .split("\n")
          .filter((line) => line.startsWith('{"span"'))
          .map((line) => (JSON.parse(line) as { span: { traceId: string; parentSpanId?: string; name: string; kind: number } }).span)
          .find((span) => span.traceId === traceId);
        if (serverSpan === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(serverSpan).toMatchObject({ traceId, parentSpanId: spanId, name: "Calculator/add", kind: SpanKind.SERVER });
    } finally {
      await stop(traced);
    }
  });

  // Last: it shuts the server down.
  it("curl -w '%{http_code}' /health is 200, and 503 during graceful shutdown", async () => {
    const url = `http://127.0.0.1:${calculator!.port}/health`;
    expect(await curl("-o", "/dev/null", "-w", "%{http_code}", url)).toBe("200");
    const exited = new Promise<number | null>((resolve) => calculator!.child.once("exit", (code) => resolve(code)));
    process.kill(serverPid(calculator!.child.pid!), "SIGTERM");
    // The example keeps taking connections for --drain-delay-ms (1000) while it reports 503:
    // ask until the answer changes (the signal takes a moment to arrive on a loaded machine:
    // bounded by time, not by a number of attempts, which a fast curl used up in 0.7 s).
    let code = "200";
    const deadline = Date.now() + 10_000;
    while (code === "200" && Date.now() < deadline) {
      code = await curl("-o", "/dev/null", "-w", "%{http_code}", url);
    }
    expect(code).toBe("503");
    expect(await exited).toBe(0);
    expect(calculator!.stderr()).toContain('"msg":"not ready: draining before shutdown"');
  });
});

