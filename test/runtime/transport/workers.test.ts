import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { Code, RpcError } from "@rpcgen/runtime";
import { EchoService } from "./fixtures/echo-service.js";
import { Cleanup, openChannel } from "./harness.js";

const m = EchoService.methods;
const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const script = fileURLToPath(new URL("./fixtures/worker-server.ts", import.meta.url));
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

interface Event {
  event: string;
  pid?: number;
  port?: number;
  code?: number | null;
  signal?: string | null;
}

/** Starts the two-worker server fixture; events arrive on `next(predicate)`. */
function startCluster(): {
  child: ChildProcess;
  next: (match: (e: Event) => boolean) => Promise<Event>;
} {
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "inherit"],
  });
  cleanup.add(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });
  const seen: Event[] = [];
  const waiters: Array<{
    match: (e: Event) => boolean;
    resolve: (e: Event) => void;
  }> = [];
  createInterface({ input: child.stdout! }).on("line", (line) => {
    const event = JSON.parse(line) as Event;
    seen.push(event);
    for (const waiter of waiters.splice(0)) {
      if (waiter.match(event)) waiter.resolve(event);
      else waiters.push(waiter);
    }
  });
  const next = (match: (e: Event) => boolean): Promise<Event> => {
    const already = seen.find(match);
    if (already) return Promise.resolve(already);
    return new Promise((resolve) => waiters.push({ match, resolve }));
  };
  return { child, next };
}

describe("worker processes", () => {
  it("serves from two workers, restarts a killed one under load, and shuts down gracefully", async () => {
    const { child, next } = startCluster();
    const ready = await next((e) => e.event === "ready");
    const address = `127.0.0.1:${ready.port}`;
    // Short heartbeats and deadlines: a connection the primary accepted for a worker
    // that then died is held by nobody, and only a heartbeat notices that quickly.
    const channel = openChannel(cleanup, {
      address,
      poolSize: 4,
      reconnect: { baseMs: 20, maxMs: 200 },
      heartbeatIntervalMs: 250,
      defaultTimeoutMs: 5000,
    });

    const servedBy = new Set<number>();
    const contexts = await Promise.all(Array.from({ length: 16 }, () => channel.invoke(m.context!, ["k"])));
    for (const text of contexts) servedBy.add(JSON.parse(text as string).pid as number);
    expect(servedBy.size).toBe(2);

    const concurrency = 8;
    let stop = false;
    let succeeded = 0;
    const failures: unknown[] = [];
    const loops = Array.from({ length: concurrency }, async () => {
      // Bounded: each loop makes at most 20,000 calls.
      for (let i = 0; i < 20_000 && !stop; i++) {
        try {
          await channel.invoke(m.add!, [i, 1]);
          succeeded++;
        } catch (error) {
          failures.push(error);
        }
      }
    });

    while (succeeded < 500) await new Promise((resolve) => setTimeout(resolve, 5));
    const [victim] = servedBy;
    process.kill(victim!, "SIGKILL");
    const exit = await next((e) => e.event === "worker-exit" && e.pid === victim);
    expect(exit.signal).toBe("SIGKILL");
    const replacement = await next((e) => e.event === "worker-online" && e.pid !== undefined && !servedBy.has(e.pid));
    expect(replacement.pid).toBeGreaterThan(0);
    const afterRestart = succeeded;
    while (succeeded < afterRestart + 500 && failures.length < 1000) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    stop = true;
    await Promise.all(loops);

    // Only calls on connections served by (or being handed to) the killed worker
    // may fail: at most one per loop per such connection, and a pool holds 4.
    expect(failures.length).toBeLessThanOrEqual(concurrency * 4);
    for (const failure of failures) {
      expect(failure).toBeInstanceOf(RpcError);
      expect((failure as RpcError).code).toBe(Code.UNAVAILABLE);
    }
    expect(succeeded).toBeGreaterThanOrEqual(afterRestart + 500);

    await channel.close();
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  }, 90_000);
});
