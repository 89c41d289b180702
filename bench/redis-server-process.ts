/**
 * A throw-away redis-server for bench/resp-vs-redis.ts: a free loopback port, a
 * temporary directory, no persistence, stopped (and its directory removed) by
 * `stop()`. Its CPU time is read from /proc, to set beside rpcgen's per call.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CpuMicros } from "./resp-calculator-server.js";

/** A port nobody listens on now (the kernel's pick for port 0, released at once). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen({ host: "127.0.0.1", port: 0 }, () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

export class RedisServerProcess {
  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    private readonly dir: string,
  ) {}

  /** Starts redis-server and waits (at most `timeoutMs`) until its port accepts connections. */
  static async start(timeoutMs = 5000): Promise<RedisServerProcess> {
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), "rpcgen-bench-redis-"));
    const args = ["--save", "", "--appendonly", "no", "--port", String(port), "--bind", "127.0.0.1", "--dir", dir];
    const child = spawn("redis-server", args, { stdio: ["ignore", "ignore", "pipe"] });
    const server = new RedisServerProcess(child, port, dir);
    try {
      await server.waitUntilListening(timeoutMs);
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  /** User and system CPU time so far, in microseconds (from /proc, in clock ticks of 10 ms). */
  cpuMicros(): CpuMicros {
    const stat = readFileSync(`/proc/${this.child.pid}/stat`, "utf8");
    // Fields after the command name, which sits in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { user: Number(fields[11]) * 10_000, system: Number(fields[12]) * 10_000 };
  }

  /** Kills the server (nothing of it is worth keeping) and removes its directory. */
  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
      this.child.kill("SIGKILL");
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async waitUntilListening(timeoutMs: number): Promise<void> {
    let stderr = "";
    this.child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString("utf8")));
    const spawnFailed = new Promise<never>((_, reject) => {
      this.child.once("error", reject);
      this.child.once("exit", (code) => reject(new Error(`redis-server exited with code ${code}: ${stderr.trim()}`)));
    });
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const up = await Promise.race([canConnect(this.port), spawnFailed]);
      if (up) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`redis-server did not listen on port ${this.port} within ${timeoutMs} ms`);
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
