/**
 * What offloading costs a call that does no work: `npx tsx --tsconfig
 * bench/tsconfig.run.json bench/offload-overhead.ts [--reps N]` (after `npm run
 * build`, as the bench measures dist/). Serves Trivial.echo (returns its string
 * argument) inline, then offloaded to the default pool (the cores less one
 * thread), with the client in the same process, and prints the medians of N
 * repetitions: one call at a time (latency) and 64 in flight (throughput).
 * docs/OFFLOAD.md quotes its figures.
 */
import { Channel, defineService, Server, silentLogger, type OffloadOptions } from "@rpcgen/runtime";
import { quantile } from "./latency-stats.js";
import { echo } from "./servers/offload-handlers.js";

const TrivialService = defineService({
  name: "Trivial",
  qualifiedName: "bench.Trivial",
  methods: { echo: { args: [{ id: 1, name: "text", type: { kind: "string" } }], returns: { kind: "string" } } },
});
const method = TrivialService.methods["echo"]!;
const text = "rpcgen offload overhead probe: about one hundred bytes of text, like the small echo of the bench";
const repetitions = Number(process.argv[process.argv.indexOf("--reps") + 1] ?? 5) || 5;

interface Figures {
  meanUs: number;
  p50Us: number;
  p99Us: number;
  callsPerSec64: number;
  p99Ms64: number;
}

async function measure(offload: OffloadOptions | undefined): Promise<Figures> {
  const server = new Server({ logger: silentLogger, offload });
  server.addService(TrivialService, { echo });
  const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
  const channel = new Channel({ address: `127.0.0.1:${port}`, logger: silentLogger });
  try {
    await run(channel, 5000, 1);
    await run(channel, 20_000, 64);
    const sequential: Figures[] = [];
    for (let rep = 0; rep < repetitions; rep++) {
      const one = await run(channel, 5000, 1);
      const many = await run(channel, 50_000, 64);
      sequential.push({
        meanUs: (one.seconds / one.calls) * 1e6,
        p50Us: one.p50Ms * 1000,
        p99Us: one.p99Ms * 1000,
        callsPerSec64: many.calls / many.seconds,
        p99Ms64: many.p99Ms,
      });
    }
    const median = (pick: (f: Figures) => number): number => {
      const values = sequential.map(pick).sort((a, b) => a - b);
      return values[Math.floor(values.length / 2)]!;
    };
    return {
      meanUs: median((f) => f.meanUs),
      p50Us: median((f) => f.p50Us),
      p99Us: median((f) => f.p99Us),
      callsPerSec64: median((f) => f.callsPerSec64),
      p99Ms64: median((f) => f.p99Ms64),
    };
  } finally {
    channel.destroy();
    await server.close({ graceMs: 0 });
  }
}

async function run(channel: Channel, calls: number, concurrency: number): Promise<{ calls: number; seconds: number; p50Ms: number; p99Ms: number }> {
  const latencies = new Float64Array(calls);
  let issued = 0;
  const caller = async (): Promise<void> => {
    while (issued < calls) {
      const slot = issued++;
      const started = performance.now();
      await channel.invoke(method, [text]);
      latencies[slot] = performance.now() - started;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, caller));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort();
  return { calls, seconds, p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99) };
}

const inline = await measure(undefined);
// maxQueue 64: all 64 calls in flight may wait for the one thread (the default queue is 16 per thread).
const offloaded = await measure({ methods: { "Trivial.echo": new URL("./servers/offload-handlers.js", import.meta.url) }, maxQueue: 64 });
const row = (name: string, f: Figures): string =>
  `| ${name} | ${f.meanUs.toFixed(0)} | ${f.p50Us.toFixed(0)} | ${f.p99Us.toFixed(0)} | ${Math.round(f.callsPerSec64)} | ${f.p99Ms64.toFixed(2)} |`;
console.log(`Trivial.echo, client and server in one process, medians of ${repetitions} repetitions\n`);
console.log("| Trivial.echo | 1 in flight: mean µs | p50 µs | p99 µs | 64 in flight: calls/s | p99 ms |");
console.log("| --- | --- | --- | --- | --- | --- |");
console.log(row("inline", inline));
console.log(row("offloaded", offloaded));
console.log(
  `\noffload adds ${(offloaded.meanUs - inline.meanUs).toFixed(0)} µs per call at 1 in flight; ` +
    `at 64 in flight it keeps ${((offloaded.callsPerSec64 / inline.callsPerSec64) * 100).toFixed(0)}% of the inline calls/s`,
);
