/**
 * Runs a registry program (provider-process.ts, watcher-process.ts) as a child
 * process through tsx, so a test can kill it with SIGKILL or pause it with SIGSTOP
 * past its lease or session, and follow what it prints line by line.
 */
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import type { RegistryKind } from "./test-registry.js";

/** A running child: its lines so far, and ways to wait for, pause and end it. */
export interface ChildProcessHandle {
  readonly pid: number;
  readonly lines: string[];
  /** Resolves with the first line from index `from` on (default: the next one) that satisfies `accept`. */
  waitForLine(
    accept: (line: string) => boolean,
    description: string,
    options?: { from?: number; timeoutMs?: number },
  ): Promise<string>;
  signal(signal: "SIGSTOP" | "SIGCONT" | "SIGKILL" | "SIGTERM"): void;
  /** SIGKILLs it (after SIGCONT, in case it is paused) and waits for it to exit. */
  kill(): Promise<void>;
  readonly exited: Promise<void>;
}

const running = new Set<ChildProcessHandle>();

/** Kills every child still running (for an afterAll: a failed test may leave one behind). */
export async function killChildren(): Promise<void> {
  await Promise.all([...running].map((child) => child.kill()));
}

/** Starts `script` (a file beside this one) with `args`. */
export function startChild(script: string, args: readonly string[]): ChildProcessHandle {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL(script, import.meta.url)), ...args], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const killOnExit = (): void => void child.kill("SIGKILL");
  process.once("exit", killOnExit);
  let hasExited = false;
  const exited = new Promise<void>((resolve) => {
    child.once("exit", () => {
      hasExited = true;
      process.off("exit", killOnExit);
      resolve();
    });
  });
  const lines: string[] = [];
  const listeners = new Set<() => void>();
  createInterface({ input: child.stdout! }).on("line", (line) => {
    lines.push(line);
    for (const listener of [...listeners]) listener();
  });
  const handle: ChildProcessHandle = {
    pid: child.pid!,
    lines,
    exited,
    waitForLine(accept, description, options = {}) {
      const { from = lines.length, timeoutMs = 20_000 } = options;
      return new Promise((resolve, reject) => {
        let checked = from;
        const check = (): void => {
          for (; checked < lines.length; checked++) {
            if (!accept(lines[checked]!)) continue;
            done();
            resolve(lines[checked]!);
            return;
          }
        };
        const done = (): void => {
          clearTimeout(timer);
          listeners.delete(check);
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new Error(
              `${script} printed no line with ${description} within ${timeoutMs} ms; last lines:\n${lines.slice(-10).join("\n")}`,
            ),
          );
        }, timeoutMs);
        listeners.add(check);
        check();
        void exited.then(() => {
          if (!listeners.has(check)) return;
          done();
          reject(
            new Error(`${script} exited before printing ${description}; last lines:\n${lines.slice(-10).join("\n")}`),
          );
        });
      });
    },
    signal(signal) {
      if (!hasExited) child.kill(signal);
    },
    async kill() {
      if (hasExited) return;
      child.kill("SIGCONT");
      child.kill("SIGKILL");
      await exited;
    },
  };
  running.add(handle);
  void exited.then(() => running.delete(handle));
  return handle;
}

/** Where a registry child process should connect, and with what lease or session. */
export interface ChildRegistry {
  readonly kind: RegistryKind;
  readonly endpoints: readonly string[];
  readonly prefix: string;
  readonly lifetimeMs: number;
}

/** Starts watcher-process.ts: it prints "list <addresses>" after every change of `service`. */
export function startWatcherProcess(registry: ChildRegistry, service: string): ChildProcessHandle {
  return startChild("./watcher-process.ts", [...registryArgs(registry), service]);
}

/**
 * Starts provider-process.ts and waits for its "registered <where>" line; `where` is
 * the etcd key or the ZooKeeper node path of the provider.
 */
export async function startProviderProcess(
  registry: ChildRegistry,
  provider: { service: string; address: string; version: string },
): Promise<{ child: ChildProcessHandle; where: string }> {
  const child = startChild("./provider-process.ts", [
    ...registryArgs(registry),
    provider.service,
    provider.address,
    provider.version,
  ]);
  const line = await child.waitForLine((l) => l.startsWith("registered "), '"registered"', {
    from: 0,
    timeoutMs: 30_000,
  });
  return { child, where: line.slice("registered ".length) };
}

function registryArgs(registry: ChildRegistry): string[] {
  return [registry.kind, registry.endpoints.join(","), registry.prefix, String(registry.lifetimeMs)];
}
