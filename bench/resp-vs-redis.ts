/**
 * RESP against redis-server (issue 15): the same C client, redis-benchmark, loads
 * rpcgen's RESP port with `CALL Calculator.add 1 2` and a real redis-server with
 * `INCRBY k 2` (Redis's cheapest command that, like add, reads two arguments,
 * does integer arithmetic and answers an integer), in the same run, -P 16 and
 * -P 1. Each server runs in a process of its own; CPU time per call is read for
 * both (rpcgen's from process.cpuUsage, redis-server's from /proc).
 *   npx tsx --tsconfig bench/tsconfig.run.json bench/resp-vs-redis.ts [--quick] [--profile]
 * --profile runs the rpcgen server under `node --cpu-prof` and prints its top functions.
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { createConnection } from "node:net";
import { fileURLToPath } from "node:url";
import { formatSelfTime, readCpuProfile, topSelfTime } from "./cpu-profile-top.js";
import { bundlePeerEntries, peerEntry } from "./peer-entry.js";
import { runRedisBenchmark } from "./redis-benchmark-run.js";
import { RedisServerProcess } from "./redis-server-process.js";
import type { CpuMicros, RespServerMessage } from "./resp-calculator-server.js";
import { failedSideBench, type SideBench, type SideBenchOptions } from "./side-bench.js";

const title = "RESP: rpcgen vs redis-server (redis-benchmark -c 50)";
const serverEntry = "resp-calculator-server.ts";
const rpcgenCommand = ["CALL", "Calculator.add", "1", "2"] as const;
const redisCommand = ["INCRBY", "k", "2"] as const;
const clients = 50;

interface Setting {
  pipeline: number;
  /** Requests per redis-benchmark run; a run at -P 16 lasts a fraction of a second. */
  requests: number;
}

interface Measured {
  requestsPerSec: number;
  cpuMicrosPerCall: number;
  /** The part of it spent in the kernel. */
  systemMicrosPerCall: number;
}

/** Options of the standalone run beyond a side bench's. */
interface RunOptions extends SideBenchOptions {
  /** Profiling: the rpcgen server's --cpu-prof directory; only -P 16 runs, longer. */
  profileDir?: string;
  /** Set (monotonic clock, µs) as the first measured run starts, so a profile can leave warm-up out. */
  measuredFrom?: { micros: number };
}

export async function runRespVsRedis(options: SideBenchOptions): Promise<SideBench> {
  try {
    await bundlePeerEntries([serverEntry]);
    return await measure(options);
  } catch (error) {
    return failedSideBench(title, error);
  }
}

async function measure(options: RunOptions): Promise<SideBench> {
  // Quick: about 7 s in all; full (about 20 s): the issue's -n 200000 at -P 16, best of 3.
  const settings: Setting[] = options.profileDir !== undefined
    ? [{ pipeline: 16, requests: 1_000_000 }]
    : options.quick
      ? [{ pipeline: 16, requests: 200_000 }, { pipeline: 1, requests: 30_000 }]
      : [{ pipeline: 16, requests: 200_000 }, { pipeline: 1, requests: 50_000 }];
  const repetitions = options.quick || options.profileDir !== undefined ? 1 : 3;
  let redis: RedisServerProcess | undefined;
  let rpcgen: RpcgenServerProcess | undefined;
  try {
    redis = await RedisServerProcess.start();
    rpcgen = await RpcgenServerProcess.start(options.profileDir);
    await expectReply(rpcgen.port, rpcgenCommand, ":3\r\n");
    await expectReply(redis.port, ["SET", "k", "0"], "+OK\r\n");
    options.log(`resp-vs-redis: redis-server on ${redis.port}, rpcgen on ${rpcgen.port}; warming up`);
    // Lets V8 optimise rpcgen's hot path before anything is measured (redis-server needs none).
    await runRedisBenchmark({ port: rpcgen.port, clients, requests: 100_000, pipeline: 16, command: rpcgenCommand, timeoutMs: 30_000 });
    if (options.measuredFrom !== undefined) options.measuredFrom.micros = Number(process.hrtime.bigint() / 1000n);
    const rows: SideBench["rows"] = [];
    const ratios = new Map<number, number>();
    for (const setting of settings) {
      let ours: Measured | undefined;
      let theirs: Measured | undefined;
      // Alternating runs, best of each: the machine is shared, a slow moment should not decide.
      for (let rep = 0; rep < repetitions; rep++) {
        ours = best(ours, await timed(setting, rpcgen.port, rpcgenCommand, () => rpcgen!.cpuMicros()));
        theirs = best(theirs, await timed(setting, redis.port, redisCommand, () => Promise.resolve(redis!.cpuMicros())));
      }
      const ratio = ours!.requestsPerSec / theirs!.requestsPerSec;
      ratios.set(setting.pipeline, ratio);
      options.log(`resp-vs-redis -P ${setting.pipeline}: rpcgen ${Math.round(ours!.requestsPerSec)}/s, redis-server ${Math.round(theirs!.requestsPerSec)}/s (${ratio.toFixed(2)}×)`);
      rows.push(row(setting, "rpcgen", rpcgenCommand, ours!, ratio), row(setting, "redis-server", redisCommand, theirs!, 1));
    }
    return {
      title,
      markdown: table(rows),
      rows,
      targets: [
        { name: "RESP -P16: rpcgen CALL vs redis-server INCRBY", ratio: ratios.get(16), want: 0.5, kind: "at least" },
      ],
    };
  } finally {
    await rpcgen?.stop();
    await redis?.stop();
  }
}

/** One redis-benchmark run with the server's CPU time over it. */
async function timed(setting: Setting, port: number, command: readonly string[], cpuMicros: () => Promise<CpuMicros>): Promise<Measured> {
  const before = await cpuMicros();
  const requestsPerSec = await runRedisBenchmark({
    port,
    clients,
    requests: setting.requests,
    pipeline: setting.pipeline,
    command,
    timeoutMs: 60_000,
  });
  const after = await cpuMicros();
  const system = after.system - before.system;
  return { requestsPerSec, cpuMicrosPerCall: (after.user - before.user + system) / setting.requests, systemMicrosPerCall: system / setting.requests };
}

function best(a: Measured | undefined, b: Measured): Measured {
  return a === undefined || b.requestsPerSec > a.requestsPerSec ? b : a;
}

function row(setting: Setting, server: string, command: readonly string[], measured: Measured, ratio: number): SideBench["rows"][number] {
  return {
    pipeline: setting.pipeline,
    clients,
    server,
    command: command.join(" "),
    requestsPerSec: Math.round(measured.requestsPerSec),
    serverCpuMicrosPerCall: Number(measured.cpuMicrosPerCall.toFixed(3)),
    serverSystemMicrosPerCall: Number(measured.systemMicrosPerCall.toFixed(3)),
    ratioToRedis: Number(ratio.toFixed(3)),
  };
}

function table(rows: SideBench["rows"]): string {
  const lines = [
    "| -P | server | command | requests/s | server CPU µs/call | of which kernel | vs redis-server |",
    "| ---: | --- | --- | ---: | ---: | ---: | ---: |",
  ];
  for (const r of rows) {
    lines.push(`| ${r.pipeline} | ${r.server} | \`${r.command}\` | ${r.requestsPerSec} | ${r.serverCpuMicrosPerCall} | ${r.serverSystemMicrosPerCall} | ${r.ratioToRedis}× |`);
  }
  return lines.join("\n");
}

/** Sends one command and checks the reply, so a benchmark never measures error replies. */
function expectReply(port: number, command: readonly string[], expected: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let received = "";
    socket.setTimeout(5000, () => socket.destroy(new Error(`no reply to ${command.join(" ")} within 5 s`)));
    socket.once("error", reject);
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("utf8");
      if (received.length < expected.length) return;
      socket.destroy();
      if (received === expected) resolve();
      else reject(new Error(`${command.join(" ")} answered ${JSON.stringify(received)}, not ${JSON.stringify(expected)}`));
    });
    socket.write(`*${command.length}\r\n${command.map((word) => `$${Buffer.byteLength(word)}\r\n${word}\r\n`).join("")}`);
  });
}

/** The forked rpcgen server (bench/resp-calculator-server.ts). */
class RpcgenServerProcess {
  private cpuWaiters: Array<(micros: CpuMicros) => void> = [];

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    child.on("message", (message: RespServerMessage) => {
      if (message.type === "cpu") this.cpuWaiters.shift()?.(message.micros);
    });
  }

  static async start(profileDir: string | undefined, timeoutMs = 20_000): Promise<RpcgenServerProcess> {
    const profileFlags = profileDir === undefined ? [] : ["--cpu-prof", `--cpu-prof-dir=${profileDir}`];
    const entry = peerEntry(serverEntry, profileFlags);
    const child = fork(entry.script, [], { execArgv: entry.execArgv, stdio: ["ignore", 2, 2, "ipc"] });
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`rpcgen server did not start in ${timeoutMs} ms`)), timeoutMs);
      child.once("exit", (code) => reject(new Error(`rpcgen server exited with code ${code} before listening`)));
      child.once("message", (message: RespServerMessage) => {
        clearTimeout(timer);
        if (message.type === "listening") resolve(message.port);
        else reject(new Error(`unexpected first message from the rpcgen server: ${message.type}`));
      });
    }).catch((error: unknown) => {
      child.kill("SIGKILL");
      throw error;
    });
    return new RpcgenServerProcess(child, port);
  }

  cpuMicros(): Promise<CpuMicros> {
    return new Promise((resolve) => {
      this.cpuWaiters.push(resolve);
      this.child.send("cpu");
    });
  }

  /** Graceful (a profiled server writes its profile on exit), SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    const killer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
    this.child.disconnect();
    await exited;
    clearTimeout(killer);
  }
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const profileDir = process.argv.includes("--profile") ? fileURLToPath(new URL(".profiles/resp-server", import.meta.url)) : undefined;
  if (profileDir !== undefined) {
    rmSync(profileDir, { recursive: true, force: true });
    mkdirSync(profileDir, { recursive: true });
  }
  const log = (line: string): void => console.error(line);
  const measuredFrom = { micros: 0 };
  const result = await measure({ quick: process.argv.includes("--quick"), log, profileDir, measuredFrom }).catch((error: unknown) => failedSideBench(title, error));
  console.log(`## ${result.title}\n\n${result.markdown}\n`);
  for (const target of result.targets) {
    const met = target.ratio !== undefined && (target.kind === "at least" ? target.ratio >= target.want : target.ratio <= target.want);
    console.log(`${met ? "MET " : "MISS"} ${target.name}: ${target.ratio?.toFixed(2) ?? "n/a"} (want ${target.kind} ${target.want})`);
  }
  if (profileDir !== undefined) {
    const file = readdirSync(profileDir).find((name) => name.endsWith(".cpuprofile"));
    if (file !== undefined) {
      console.log(`\n== rpcgen server at -P 16: top 25 by self time, % of busy time (${profileDir}/${file}) ==`);
      console.log(formatSelfTime(topSelfTime(readCpuProfile(`${profileDir}/${file}`), 25, measuredFrom.micros)));
    }
  }
}
