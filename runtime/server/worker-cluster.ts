import cluster, { type Worker } from "node:cluster";
import type { EventEmitter } from "node:events";
import type { Logger } from "../logger.js";
import type { HostPort } from "../transport/address.js";
import type { ServerEvents } from "./server.js";

/** The primary side of a multi-process server. */
export interface WorkerPrimary {
  /** Resolves once every worker listens; rejects if a worker dies before it ever listened. */
  ready: Promise<HostPort>;
  /** Closes every worker gracefully, killing any still alive after the grace period (plus a margin). */
  close(graceMs: number): Promise<void>;
}

interface CloseMessage {
  rpcgen: "close";
  graceMs: number;
}

function isCloseMessage(message: unknown): message is CloseMessage {
  return typeof message === "object" && message !== null && (message as { rpcgen?: unknown }).rpcgen === "close";
}

/** A restarted worker that dies this soon is restarted only after a pause, so a crash loop does not spin. */
const quickDeathMs = 1000;

/**
 * Forks `count` workers (each re-runs the entry script and listens on the shared
 * port) and keeps that many alive until `close`.
 */
export function runWorkerPrimary(count: number, logger: Logger, events: EventEmitter<ServerEvents>): WorkerPrimary {
  if (!Number.isInteger(count) || count < 1) throw new TypeError(`workers must be a positive integer, got ${count}`);
  const workers = new Set<Worker>();
  let shuttingDown = false;
  let everyoneListened = false;
  let listening = 0;
  let onAllExited: (() => void) | undefined;
  let resolveReady!: (address: HostPort) => void;
  let rejectReady!: (error: Error) => void;
  const ready = new Promise<HostPort>((resolve, reject) => {
    resolveReady = resolve;
    rejectReady = reject;
  });

  const fork = (): void => {
    const worker = cluster.fork();
    const startedAt = Date.now();
    let listened = false;
    workers.add(worker);
    worker.on("listening", (address) => {
      listened = true;
      events.emit("worker-online", worker.process.pid ?? 0);
      if (everyoneListened) return;
      listening++;
      if (listening === count) {
        everyoneListened = true;
        resolveReady({
          host: address.address ?? "127.0.0.1",
          port: address.port,
        });
      }
    });
    worker.on("exit", (code, signal) => {
      workers.delete(worker);
      const pid = worker.process.pid ?? 0;
      events.emit("worker-exit", pid, code, signal);
      if (shuttingDown) {
        if (workers.size === 0) onAllExited?.();
        return;
      }
      if (!everyoneListened && !listened) {
        shuttingDown = true;
        for (const other of workers) other.kill();
        rejectReady(new Error(`worker ${pid} exited (code ${code}, signal ${signal}) before it listened`));
        return;
      }
      logger.warn({ pid, code, signal }, "worker died; starting a new one");
      const lived = Date.now() - startedAt;
      setTimeout(
        () => {
          if (!shuttingDown) fork();
        },
        lived < quickDeathMs ? quickDeathMs : 0,
      );
    });
  };
  for (let i = 0; i < count; i++) fork();

  return {
    ready,
    close: (graceMs) => {
      shuttingDown = true;
      if (workers.size === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const killer = setTimeout(() => {
          for (const worker of workers) worker.process.kill("SIGKILL");
        }, graceMs + 5000);
        onAllExited = () => {
          clearTimeout(killer);
          resolve();
        };
        const message: CloseMessage = { rpcgen: "close", graceMs };
        for (const worker of workers) {
          if (worker.isConnected()) worker.send(message);
          else worker.process.kill("SIGTERM");
        }
      });
    },
  };
}

/** In a worker: closes `server` gracefully and exits when the primary says so. */
export function serveAsWorker(server: { close(options: { graceMs: number }): Promise<void> }): void {
  process.on("message", (message: unknown) => {
    if (!isCloseMessage(message)) return;
    void server.close({ graceMs: message.graceMs }).finally(() => process.exit(0));
  });
}
