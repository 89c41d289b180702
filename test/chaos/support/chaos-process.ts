import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ServerOptions } from "../../../runtime/server/server-options.js";

const entry = fileURLToPath(new URL("./chaos-server.ts", import.meta.url));

/** A chaos server process: its port, and what /proc says of its memory. */
export interface ChaosServer {
  readonly port: number;
  readonly process: ChildProcess;
  /** Current resident set, bytes. */
  rssBytes(): number;
  /** Peak resident set since the process started (VmHWM), bytes. */
  peakRssBytes(): number;
  /** True while the process runs. */
  alive(): boolean;
  /** What it wrote to stderr (its warn/error log lines). */
  stderr(): string;
  stop(): Promise<void>;
}

export async function startChaosServer(options: Omit<ServerOptions, "logger"> = {}): Promise<ChaosServer> {
  const child = spawn(process.execPath, ["--import", "tsx", entry, JSON.stringify(options)], { stdio: ["ignore", "pipe", "pipe"] });
  let errText = "";
  child.stderr!.on("data", (chunk: Buffer) => {
    // Keep the tail only: a flood can log a lot.
    errText = (errText + chunk.toString("utf8")).slice(-200_000);
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`chaos server did not start: ${errText}`)), 30_000);
    child.stdout!.on("data", (chunk: Buffer) => {
      out += chunk.toString("utf8");
      const match = /listening on [\d.]+:(\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`chaos server exited with ${code}: ${errText}`));
    });
  });
  const status = (key: string): number => {
    const text = readFileSync(`/proc/${child.pid}/status`, "utf8");
    const match = new RegExp(`^${key}:\\s+(\\d+) kB`, "m").exec(text);
    return match ? Number(match[1]) * 1024 : 0;
  };
  return {
    port,
    process: child,
    rssBytes: () => status("VmRSS"),
    peakRssBytes: () => status("VmHWM"),
    alive: () => child.exitCode === null && child.signalCode === null,
    stderr: () => errText,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    },
  };
}

/** Polls `condition` every few ms until it holds or `ms` pass; returns whether it held. */
export async function waitUntil(condition: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
}
