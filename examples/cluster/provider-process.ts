/**
 * Starts an inventory provider (provider.ts) as a child process and waits for
 * its `listening on <address>` line. Used by the demo and by test/cluster, so
 * both run providers exactly as an operator would.
 */
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const startTimeoutMs = 30_000;
const keptOutputChars = 8_000;

/** How to start one provider. */
export interface ProviderProcessOptions {
  version: string;
  /** etcd client URLs (give these or `zookeeper`). */
  etcd?: readonly string[];
  /** ZooKeeper servers, "host:port" (give these or `etcd`). */
  zookeeper?: readonly string[];
  prefix?: string;
  ttlSeconds?: number;
  graceMs?: number;
  /** Worker processes serving the port (node:cluster); default 1, no workers. */
  workers?: number;
  /** Receives every line the provider prints (stdout and stderr). */
  onLine?: (line: string) => void;
}

/** A running provider child process. */
export interface ProviderProcess {
  /** The registered `host:port`. */
  readonly address: string;
  readonly version: string;
  readonly pid: number;
  /** Sends `signal` and resolves with the exit code once the process has exited. */
  stop(signal: "SIGTERM" | "SIGKILL"): Promise<number | null>;
  /** Resolves when the process exits (for any reason). */
  readonly exited: Promise<number | null>;
  /**
   * Resolves with the first line printed from now on that contains `text`
   * (its log lines are JSON on stderr); rejects after `timeoutMs` or if the process exits.
   */
  nextLine(text: string, timeoutMs?: number): Promise<string>;
}

/** Spawns provider.ts through tsx; resolves once it is registered and listening. */
export async function startProvider(options: ProviderProcessOptions): Promise<ProviderProcess> {
  const args = [
    "--import",
    "tsx",
    path.join(here, "provider.ts"),
    "--port",
    "0",
    "--version",
    options.version,
    ...(options.zookeeper ? ["--zookeeper", options.zookeeper.join(",")] : ["--etcd", (options.etcd ?? []).join(",")]),
    "--prefix",
    options.prefix ?? "/rpcgen",
    "--ttl",
    String(options.ttlSeconds ?? 10),
    "--grace-ms",
    String(options.graceMs ?? 10_000),
    "--workers",
    String(options.workers ?? 1),
  ];
  const child = spawn(process.execPath, args, { cwd: path.resolve(here, "../.."), stdio: ["ignore", "pipe", "pipe"] });
  // If the parent dies without stopping it, take the provider along.
  const killOnExit = (): void => void child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const exited = new Promise<number | null>((resolve) => {
    const finish = (code: number | null): void => {
      process.off("exit", killOnExit);
      resolve(code);
    };
    child.once("exit", (code) => finish(code));
    child.once("error", () => finish(null));
  });
  // "close" comes after the last output line, unlike "exit".
  const outputEnded = new Promise<void>((resolve) => {
    child.once("close", () => resolve());
    child.once("error", () => resolve());
  });
  let output = "";
  const lineListeners = new Set<(line: string) => void>();
  const lines = [createInterface({ input: child.stdout! }), createInterface({ input: child.stderr! })];
  for (const reader of lines) {
    reader.on("line", (line) => {
      output = `${output}${line}\n`.slice(-keptOutputChars);
      options.onLine?.(line);
      for (const listener of lineListeners) listener(line);
    });
  }
  const address = await new Promise<string>((resolve, reject) => {
    const fail = (why: string): void => {
      child.kill("SIGKILL");
      reject(new Error(`inventory provider ${options.version} ${why}:\n${output}`));
    };
    const timer = setTimeout(() => fail(`did not start within ${startTimeoutMs} ms`), startTimeoutMs);
    void Promise.all([exited, outputEnded]).then(([code]) => {
      clearTimeout(timer);
      fail(`exited early with code ${code}`);
    });
    lines[0]!.on("line", (line) => {
      const match = /^listening on (\S+)/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
  });
  return {
    address,
    version: options.version,
    pid: child.pid!,
    exited,
    async stop(signal) {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    nextLine(text, timeoutMs = 20_000) {
      return new Promise((resolve, reject) => {
        const done = (): void => {
          clearTimeout(timer);
          lineListeners.delete(listener);
        };
        const listener = (line: string): void => {
          if (!line.includes(text)) return;
          done();
          resolve(line);
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`provider ${options.version} printed no line with "${text}" within ${timeoutMs} ms`));
        }, timeoutMs);
        lineListeners.add(listener);
        void outputEnded.then(() => {
          if (!lineListeners.has(listener)) return;
          done();
          reject(new Error(`provider ${options.version} exited before printing "${text}"`));
        });
      });
    },
  };
}
