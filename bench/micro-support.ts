// Helpers of the micro benches (bench/*-micro.ts): command-line numbers, CPU ns
// per call, bytes allocated per call, medians.
//
// CPU time is process.cpuUsage() over a round (the machine is shared: wall time
// would count other processes).
//
// Allocation: Node 20 has no allocation counter (v8.getHeapStatistics() lacks
// total_allocated_bytes), so bytes per call is the growth of
// process.memoryUsage().heapUsed over a short round in which no garbage
// collection ran (a PerformanceObserver counts "gc" entries; rounds with one
// are discarded), the smallest of several rounds.
import { PerformanceObserver } from "node:perf_hooks";

const argv = process.argv.slice(2);

/** The number after `name` on the command line, or `fallback`. */
export function numberOption(name: string, fallback: number): number {
  const index = argv.indexOf(name);
  return index >= 0 ? Number(argv[index + 1]) : fallback;
}

/** A round of work: `calls` calls, `inFlight` at a time. */
export type Round = (calls: number, inFlight: number) => Promise<void>;

/** `inFlight` loops each awaiting `call()` in turn, `calls` in all (rounded up to whole loops). */
export async function inFlightLoops(call: () => Promise<unknown>, calls: number, inFlight: number): Promise<void> {
  const perLoop = Math.ceil(calls / inFlight);
  const loop = async (): Promise<void> => {
    for (let i = 0; i < perLoop; i++) await call();
  };
  const loops: Promise<void>[] = [];
  for (let i = 0; i < inFlight; i++) loops.push(loop());
  await Promise.all(loops);
}

export async function cpuNsPerCall(round: Round, calls: number, inFlight: number): Promise<number> {
  const start = process.cpuUsage();
  await round(calls, inFlight);
  const used = process.cpuUsage(start);
  return ((used.user + used.system) * 1000) / calls;
}

let gcCount = 0;
new PerformanceObserver((list) => void (gcCount += list.getEntries().length)).observe({ entryTypes: ["gc"] });
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** Heap growth per call over GC-free rounds of 2,048 calls, the smallest of 30 tries; undefined if every one saw a GC. */
export async function bytesPerCall(round: Round, inFlight: number): Promise<number | undefined> {
  const calls = 2_048;
  let best: number | undefined;
  for (let attempt = 0; attempt < 30; attempt++) {
    await settle();
    const gcBefore = gcCount;
    const before = process.memoryUsage().heapUsed;
    await round(calls, inFlight);
    const after = process.memoryUsage().heapUsed;
    await settle();
    if (gcCount !== gcBefore || after < before) continue;
    const perCall = (after - before) / calls;
    best = best === undefined ? perCall : Math.min(best, perCall);
  }
  return best;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export const formatBytes = (value: number | undefined): string => (value === undefined ? "n/a" : value.toFixed(0));

/**
 * Times `bare` against `wrapped` in alternating rounds (after a warm-up of
 * both) and prints CPU ns per call of each, their paired difference, and bytes
 * per call of each.
 */
export async function compare(label: string, bare: Round, wrapped: Round, calls: number, rounds: number, inFlight: number): Promise<void> {
  await bare(calls / 2, inFlight);
  await wrapped(calls / 2, inFlight);
  const bareNs: number[] = [];
  const wrappedNs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    bareNs.push(await cpuNsPerCall(bare, calls, inFlight));
    wrappedNs.push(await cpuNsPerCall(wrapped, calls, inFlight));
  }
  const differences = bareNs.map((value, i) => wrappedNs[i]! - value);
  const bareBytes = await bytesPerCall(bare, inFlight);
  const wrappedBytes = await bytesPerCall(wrapped, inFlight);
  const extraBytes = bareBytes === undefined || wrappedBytes === undefined ? "n/a" : (wrappedBytes - bareBytes).toFixed(0);
  console.log(
    `${label}, ${inFlight} in flight: bare ${median(bareNs).toFixed(0)} ns, observed ${median(wrappedNs).toFixed(0)} ns, ` +
      `cost ${median(differences).toFixed(0)} ns/call (median of paired rounds); ` +
      `allocated ${formatBytes(bareBytes)} B vs ${formatBytes(wrappedBytes)} B per call (cost ${extraBytes} B)`,
  );
}
