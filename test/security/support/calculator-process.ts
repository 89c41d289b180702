/**
 * The example calculator server (`npm run calculator:server -- ...`) as a child
 * process, started with the flags under test; resolves once it printed
 * `listening on 127.0.0.1:<port>`.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

export interface CalculatorProcess {
  port: number;
  pid: number;
  /** True while the process runs. */
  readonly alive: boolean;
  /** Everything the process wrote to stderr so far (its JSON log lines). */
  readonly stderr: string;
  stop(): Promise<void>;
}

export async function startCalculator(flags: string[], env: Record<string, string> = {}): Promise<CalculatorProcess> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "examples/calculator/server.ts", "--port", "0", ...flags], {
    cwd: repoRoot,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the calculator server exited with code ${code}: ${stderr}`)));
    lines.on("line", (line) => {
      const match = /^listening on 127\.0\.0\.1:(\d+)$/.exec(line);
      if (match) resolve(Number(match[1]));
    });
  });
  return {
    port,
    pid: child.pid!,
    get alive() {
      return child.exitCode === null && child.signalCode === null;
    },
    get stderr() {
      return stderr;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      await exited;
    },
  };
}
