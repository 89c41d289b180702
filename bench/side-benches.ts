import { failedSideBench, type SideBench, type SideBenchOptions } from "./side-bench.js";

/**
 * The benchmarks outside the echo matrix, run after it by bench/run.ts, in this
 * order. Each is loaded only when it runs (`--filter` matches its name), so a
 * filtered run of the matrix does not load redis or 10,000-connection code.
 */
const sideBenches: Array<{
  name: string;
  title: string;
  load: () => Promise<(options: SideBenchOptions) => Promise<SideBench>>;
}> = [
  {
    name: "resp-vs-redis",
    title: "RESP: rpcgen vs redis-server (redis-benchmark)",
    load: async () => (await import("./resp-vs-redis.js")).runRespVsRedis,
  },
  {
    name: "connection-memory",
    title: "Memory per connection: rpcgen vs grpc-js vs Apache Thrift",
    load: async () => (await import("./connection-memory.js")).runConnectionMemory,
  },
];

/** Runs the side benches whose name the filter matches (all without one); a failure is a result, not a throw. */
export async function runSideBenches(
  pattern: RegExp | undefined,
  options: SideBenchOptions,
): Promise<SideBench[]> {
  const results: SideBench[] = [];
  for (const bench of sideBenches) {
    if (!(pattern?.test(bench.name) ?? true)) continue;
    const started = performance.now();
    try {
      const run = await bench.load();
      results.push(await run(options));
    } catch (error) {
      results.push(failedSideBench(bench.title, error));
    }
    options.log(`${bench.name}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  return results;
}
