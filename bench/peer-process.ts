/**
 * The orchestrator's side of the peer processes: a long-lived server process per
 * server configuration, and one client process per case, bounded by a hard timeout.
 */
import { fork, type ChildProcess } from "node:child_process";
import type {
  CaseSpec,
  ClientMessage,
  ServerCommand,
  ServerMessage,
  ServerSpec,
} from "./case-spec.js";
import { peerEntry } from "./peer-entry.js";
import type { WindowStats } from "./server-stats.js";


/** Extra node flags for the children, e.g. --cpu-prof. */
export interface ForkFlags {
  serverFlags?: string[];
  clientFlags?: string[];
}

/** A running peer server; `request` sends a command and awaits its "stats" answer. */
export class ServerProcess {
  private statsWaiters: Array<(stats: WindowStats) => void> = [];
  private parkedWaiter: ((rssBytes: number) => void) | undefined;

  private constructor(
    readonly spec: ServerSpec,
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.on("message", (message: ServerMessage) => {
      if (message.type === "stats") this.statsWaiters.shift()?.(message);
      else if (message.type === "parked") this.parkedWaiter?.(message.rssBytes);
    });
  }

  /** Forks the server and waits (at most `timeoutMs`) until it listens. */
  static async start(
    spec: ServerSpec,
    flags: ForkFlags,
    timeoutMs: number,
  ): Promise<ServerProcess> {
    // Offloaded handlers are loaded by worker threads from their .ts source: that server runs under tsx.
    const entry = peerEntry("server-main.ts", flags.serverFlags, { needsTypeScript: spec.offload === true });
    const child = fork(entry.script, [spec.framework, String(spec.workers), spec.offload ? "offload" : "inline", spec.tls ? "tls" : "plain"], {
      execArgv: entry.execArgv,
      stdio: ["ignore", 2, 2, "ipc"],
    });
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `${spec.framework} server did not start in ${timeoutMs} ms`,
            ),
          ),
        timeoutMs,
      );
      child.once("exit", (code) =>
        reject(
          new Error(
            `${spec.framework} server exited with code ${code} before listening`,
          ),
        ),
      );
      child.once("message", (message: ServerMessage) => {
        clearTimeout(timer);
        if (message.type === "listening") resolve(message.port);
        else
          reject(
            new Error(
              `unexpected first message from the server: ${message.type}`,
            ),
          );
      });
    }).catch((error: unknown) => {
      child.kill("SIGKILL");
      throw error;
    });
    return new ServerProcess(spec, child, port);
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  request(
    command: Extract<ServerCommand, { type: "stats-start" | "stats-stop" }>,
  ): Promise<WindowStats> {
    return new Promise((resolve) => {
      this.statsWaiters.push(resolve);
      this.child.send(command);
    });
  }

  /** Arms the park lot; resolves with the server's RSS once `count` calls are parked. */
  expectParked(count: number): Promise<number> {
    return new Promise((resolve) => {
      this.parkedWaiter = resolve;
      this.child.send({ type: "park-expect", count } satisfies ServerCommand);
    });
  }

  /** Graceful stop (disconnect makes the server close and exit); SIGKILL after `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise<void>((resolve) =>
      this.child.once("exit", () => resolve()),
    );
    const killer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    if (this.child.connected) this.child.disconnect();
    else this.child.kill("SIGTERM");
    await exited;
    clearTimeout(killer);
  }

  kill(): void {
    // Cluster workers exit on their own once the primary's IPC channel is gone.
    this.child.kill("SIGKILL");
  }
}

/** One repetition as measured: the client's call figures and the server's window. */
export interface RepetitionSample {
  seconds: number;
  calls: number;
  p50Ms: number;
  p99Ms: number;
  clientCpuMicros: number;
  server: WindowStats;
}

/** The outcome of one case's client process. */
export type ClientOutcome =
  | { status: "ok"; samples: RepetitionSample[]; parkedRssBytes?: number }
  | {
      status: "timeout" | "failed";
      message: string;
      samples: RepetitionSample[];
    };

/**
 * Runs one case's client against `server`; never takes longer than `timeoutMs`.
 * `onBegin` runs as each measured repetition starts (the profiler cuts warm-up off there).
 */
export function runClient(
  spec: CaseSpec,
  server: ServerProcess,
  flags: ForkFlags,
  timeoutMs: number,
  onBegin?: () => void,
): Promise<ClientOutcome> {
  const entry = peerEntry("client-main.ts", flags.clientFlags);
  const child = fork(entry.script, [JSON.stringify(spec), String(server.port)], {
    execArgv: entry.execArgv,
    stdio: ["ignore", 2, 2, "ipc"],
  });
  const samples: RepetitionSample[] = [];
  let parkedRss: Promise<number> | undefined;
  let queue = Promise.resolve();
  return new Promise<ClientOutcome>((resolve) => {
    let settled = false;
    const finish = (outcome: ClientOutcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (outcome.status !== "ok") child.kill("SIGKILL");
      resolve(outcome);
    };
    const timer = setTimeout(
      () =>
        finish({
          status: "timeout",
          message: `no result within ${Math.round(timeoutMs / 1000)} s`,
          samples,
        }),
      timeoutMs,
    );
    const handle = async (message: ClientMessage): Promise<void> => {
      switch (message.type) {
        case "ready":
          if (spec.parkCalls !== undefined)
            parkedRss = server.expectParked(spec.parkCalls);
          return;
        case "begin":
          onBegin?.();
          await server.request({ type: "stats-start" });
          child.send("go");
          return;
        case "end": {
          const { type: _type, ...figures } = message;
          samples.push({
            ...figures,
            server: await server.request({ type: "stats-stop" }),
          });
          return;
        }
        case "done":
          finish({
            status: "ok",
            samples,
            ...(parkedRss === undefined
              ? {}
              : { parkedRssBytes: await parkedRss }),
          });
          return;
        case "failed":
          finish({ status: "failed", message: message.message, samples });
          return;
      }
    };
    child.on("message", (message: ClientMessage) => {
      queue = queue.then(() => handle(message));
    });
    child.once("exit", (code, signal) => {
      void queue.then(() =>
        finish({
          status: "failed",
          message: `client exited (code ${code}, signal ${signal}) before finishing`,
          samples,
        }),
      );
    });
  });
}
