/**
 * Memory per connection: a server's RSS holding N idle connections, then N
 * connections with one call in flight each, for rpcgen, grpc-js and Apache
 * Thrift's npm server, in the same run (docs/BENCHMARKS.md, "Memory per
 * connection").
 *
 * Each server runs alone in a process started with --expose-gc and reads its
 * memory after a full GC; the connections come from one client process
 * (bench/held-connections.ts says what "established" means per protocol).
 * Bytes per connection = (RSS with N connections - RSS before) / N.
 *
 * Standalone: `npx tsx --tsconfig bench/tsconfig.run.json bench/connection-memory.ts [--quick]`.
 */
import { fileURLToPath } from "node:url";
import type { MemoryFramework, MemoryReading, MemoryServerCommand, MemoryServerMessage, MemoryClientCommand, MemoryClientMessage } from "./memory-messages.js";
import { IpcPeer } from "./ipc-peer.js";
import { bundlePeerEntries } from "./peer-entry.js";
import { failedSideBench, type SideBench, type SideBenchOptions } from "./side-bench.js";
import type { TargetCheck } from "./target-ratios.js";

const title = "Memory per connection: rpcgen vs grpc-js vs Apache Thrift (server RSS after GC)";
const frameworks: readonly MemoryFramework[] = ["rpcgen", "grpc-js", "thrift"];
/** Connections opened, parked and closed before the baseline, so lazily loaded code and JIT output are already in it. */
const warmupConnections = 16;
/** A step (start, open all, park all) that takes longer has hung; --quick keeps the whole run under its minute. */
const stepTimeoutMs = (quick: boolean): number => (quick ? 15_000 : 60_000);

/**
 * V8 grows its young generation (two semi-spaces, up to 16 MB each) as a process
 * allocates, and the growth lands in RSS whenever it happens: pinned small and
 * alike for every server, it is in the baseline instead of the per-connection figures.
 */
const pinnedYoungGeneration = ["--min-semi-space-size=1", "--max-semi-space-size=1"];

/** One server's figures. */
export interface ConnectionMemory {
  framework: MemoryFramework;
  connections: number;
  baseline: MemoryReading;
  idle: MemoryReading;
  inFlight: MemoryReading;
}

export async function runConnectionMemory(options: SideBenchOptions): Promise<SideBench> {
  const connections = options.quick ? 2000 : 10_000;
  try {
    await bundlePeerEntries(["memory-server-main.ts", "memory-client-main.ts"]);
    const measured: ConnectionMemory[] = [];
    for (const framework of frameworks) {
      const started = performance.now();
      measured.push(await measureServer(framework, connections, stepTimeoutMs(options.quick)));
      options.log(`memory/${framework} ${connections} connections: ${describe(measured.at(-1)!)} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
    }
    return report(measured);
  } catch (error) {
    return failedSideBench(title, error);
  }
}

/** Bytes per connection of a reading against the baseline. */
export function perConnection(figures: ConnectionMemory, reading: MemoryReading, field: keyof MemoryReading = "rssBytes"): number {
  return (reading[field] - figures.baseline[field]) / figures.connections;
}

async function measureServer(framework: MemoryFramework, connections: number, timeoutMs: number): Promise<ConnectionMemory> {
  const server = new IpcPeer<MemoryServerCommand, MemoryServerMessage>(timeoutMs, "memory-server-main.ts", [framework], ["--expose-gc", ...pinnedYoungGeneration]);
  let client: IpcPeer<MemoryClientCommand, MemoryClientMessage> | undefined;
  try {
    const { port } = await server.next("listening");
    client = new IpcPeer(timeoutMs, "memory-client-main.ts", [framework, String(port)]);
    const start = await server.ask({ type: "measure" }, "measured");
    await holdAndPark(server, client, warmupConnections);
    await client.ask({ type: "close" }, "closed");
    await untilFds(server, (fds) => fds <= start.openFds);

    const baseline = await server.ask({ type: "measure" }, "measured");
    await client.ask({ type: "open", count: connections }, "opened");
    // Thrift has no handshake: the client is connected before the server has accepted.
    const idle = await untilFds(server, (fds) => fds >= baseline.openFds + connections);
    const inFlight = await holdAndPark(server, client, connections, true);
    return { framework, connections, baseline, idle, inFlight };
  } finally {
    client?.kill();
    server.kill();
  }
}

/** Opens `count` connections (unless they are open already), parks a call on each; the reading is taken while all wait. */
async function holdAndPark(
  server: IpcPeer<MemoryServerCommand, MemoryServerMessage>,
  client: IpcPeer<MemoryClientCommand, MemoryClientMessage>,
  count: number,
  alreadyOpen = false,
): Promise<MemoryReading> {
  if (!alreadyOpen) await client.ask({ type: "open", count }, "opened");
  await server.ask({ type: "park-expect", count }, "armed");
  const [parked] = await Promise.all([server.next("parked"), client.ask({ type: "park" }, "replied")]);
  return parked;
}

/** Measures the server until its open descriptors satisfy `done`. */
async function untilFds(server: IpcPeer<MemoryServerCommand, MemoryServerMessage>, done: (fds: number) => boolean): Promise<MemoryReading> {
  const deadline = Date.now() + server.timeoutMs;
  for (;;) {
    const reading = await server.ask({ type: "measure" }, "measured");
    if (done(reading.openFds)) return reading;
    if (Date.now() > deadline) throw new Error(`server has ${reading.openFds} descriptors open, not the expected count`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// ---- the report ----

const kib = (bytes: number): string => (bytes / 1024).toFixed(1);

function describe(figures: ConnectionMemory): string {
  const mb = (bytes: number): string => (bytes / 1048576).toFixed(1);
  const { baseline, idle, inFlight } = figures;
  return `idle ${kib(perConnection(figures, idle))} KiB/conn, one call in flight ${kib(perConnection(figures, inFlight))} KiB/conn; RSS MB ${mb(baseline.rssBytes)} / ${mb(idle.rssBytes)} / ${mb(inFlight.rssBytes)}, heap committed MB ${mb(baseline.heapTotalBytes)} / ${mb(idle.heapTotalBytes)} / ${mb(inFlight.heapTotalBytes)}`;
}

function report(measured: readonly ConnectionMemory[]): SideBench {
  const lines = [
    "| server | connections | baseline RSS MB | idle: RSS bytes/conn | idle: heap bytes/conn | in flight: RSS bytes/conn | in flight: heap bytes/conn |",
    "|---|---|---|---|---|---|---|",
  ];
  const rows: SideBench["rows"] = [];
  for (const figures of measured) {
    const row = {
      framework: figures.framework,
      connections: figures.connections,
      baselineRssMb: Math.round(figures.baseline.rssBytes / 1e5) / 10,
      idleRssBytesPerConnection: Math.round(perConnection(figures, figures.idle)),
      idleHeapBytesPerConnection: Math.round(perConnection(figures, figures.idle, "heapUsedBytes")),
      inFlightRssBytesPerConnection: Math.round(perConnection(figures, figures.inFlight)),
      inFlightHeapBytesPerConnection: Math.round(perConnection(figures, figures.inFlight, "heapUsedBytes")),
    };
    rows.push(row);
    lines.push(`| ${row.framework} | ${row.connections} | ${row.baselineRssMb} | ${row.idleRssBytesPerConnection} | ${row.idleHeapBytesPerConnection} | ${row.inFlightRssBytesPerConnection} | ${row.inFlightHeapBytesPerConnection} |`);
  }
  return { title, markdown: lines.join("\n"), rows, targets: targets(measured) };
}

/** The targets against grpc-js; against Thrift, figures to watch (no target). */
function targets(measured: readonly ConnectionMemory[]): TargetCheck[] {
  const of = (framework: MemoryFramework) => measured.find((figures) => figures.framework === framework);
  const ours = of("rpcgen");
  const ratio = (peer: MemoryFramework, state: "idle" | "inFlight"): number | undefined => {
    const theirs = of(peer);
    if (ours === undefined || theirs === undefined) return undefined;
    const bytes = perConnection(theirs, theirs[state]);
    return bytes > 0 ? perConnection(ours, ours[state]) / bytes : undefined;
  };
  return [
    { name: "memory per connection, idle: rpcgen vs grpc-js", ratio: ratio("grpc-js", "idle"), want: 0.5, kind: "at most" },
    { name: "memory per connection, one call in flight: rpcgen vs grpc-js", ratio: ratio("grpc-js", "inFlight"), want: 0.5, kind: "at most" },
    { name: "memory per connection, idle: rpcgen vs Apache Thrift", ratio: ratio("thrift", "idle"), want: 1, kind: "measured" },
    { name: "memory per connection, one call in flight: rpcgen vs Apache Thrift", ratio: ratio("thrift", "inFlight"), want: 1, kind: "measured" },
  ];
}

// ---- standalone ----

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { formatTargets } = await import("./target-ratios.js");
  const bench = await runConnectionMemory({ quick: process.argv.includes("--quick"), log: (line) => console.error(line) });
  console.log(`## ${bench.title}\n\n${bench.markdown}\n\n${formatTargets(bench.targets)}`);
}
