// Governance overhead per call without sockets: a ClusterInvoker over a fake
// in-process transport against calling that same transport directly, at 1 and
// 64 calls in flight. Reports CPU ns per call of each and their difference
// (the governance cost), and bytes allocated per call of each.
// Run: npx tsx --tsconfig bench/tsconfig.run.json bench/governance-micro.ts [--calls N] [--rounds R]
//
// Method (CPU time, bytes per call): bench/micro-support.ts.
import {
  ClusterInvoker,
  DirectRegistry,
  type CallOptions,
  type Invoker,
  type MethodDescriptor,
  type ProviderTransport,
} from "@rpcgen/runtime";
import type { CallObserver } from "@rpcgen/runtime/internal/client/call-observer.js";
import { benchEcho, BenchService } from "./echo-descriptor.js";
import { bytesPerCall as roundBytesPerCall, cpuNsPerCall as roundCpuNsPerCall, inFlightLoops, median, numberOption as option } from "./micro-support.js";

/** A Channel's per-read clock: one Date.now() for all the replies of one flush, and only if asked. */
class FlushClock {
  private reading: number | undefined;
  readonly arrivedAt = (): number => (this.reading ??= Date.now());
  reset(): void {
    this.reading = undefined;
  }
}

/**
 * Answers every call in one batch per microtask, like the replies of one
 * socket read: observer first, then the promise, as a Channel does. Enforces
 * its call limits (no timers: every call is answered at once). Like a
 * Channel, invoke() reads the clock once per call and invokeObserved() is
 * handed the caller's reading, so that read is not counted as governance.
 */
class FakeTransport implements ProviderTransport {
  readonly enforcesCallLimits = true;
  pendingCalls = 0;
  private readonly resolvers: Array<(value: unknown) => void> = [];
  private readonly observers: Array<CallObserver | undefined> = [];
  private readonly clock = new FlushClock();
  private scheduled = false;

  /** The time a call was sent at, read as a Channel's invoke() reads it (invokeObserved is handed it). */
  sentAt = 0;

  invoke(_method: MethodDescriptor, _args: readonly unknown[], _options?: CallOptions): Promise<unknown> {
    this.sentAt = Date.now();
    return this.send(undefined);
  }

  invokeObserved(
    _method: MethodDescriptor,
    _args: readonly unknown[],
    _timeoutMs: number | undefined,
    _signal: AbortSignal | undefined,
    _metadata: Record<string, string> | undefined,
    now: number,
    observer: CallObserver,
  ): Promise<unknown> {
    this.sentAt = now;
    return this.send(observer);
  }

  ping(): Promise<number> {
    return Promise.resolve(0);
  }
  on(): this {
    return this;
  }
  off(): this {
    return this;
  }
  close(): Promise<void> {
    return Promise.resolve();
  }

  private send(observer: CallObserver | undefined): Promise<unknown> {
    const reply = new Promise<unknown>((resolve) => this.resolvers.push(resolve));
    this.observers.push(observer);
    this.pendingCalls += 1;
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.flush);
    }
    return reply;
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    this.clock.reset();
    const resolvers = this.resolvers;
    const observers = this.observers;
    for (let i = 0; i < resolvers.length; i++) {
      this.pendingCalls -= 1;
      observers[i]?.answered(this.clock);
      resolvers[i]!("pong");
    }
    resolvers.length = 0;
    observers.length = 0;
  };
}

const CALLS = option("--calls", 200_000);
const ROUNDS = option("--rounds", 9);
const args = ["hello"];

const run = (invoker: Invoker, calls: number, inFlight: number): Promise<void> => inFlightLoops(() => invoker.invoke(benchEcho, args), calls, inFlight);
const cpuNsPerCall = (invoker: Invoker, calls: number, inFlight: number): Promise<number> =>
  roundCpuNsPerCall((n, k) => run(invoker, n, k), calls, inFlight);
const bytesPerCall = (invoker: Invoker, inFlight: number): Promise<number | undefined> => roundBytesPerCall((n, k) => run(invoker, n, k), inFlight);

const direct = new FakeTransport();
const governedTransport = new FakeTransport();
const registry = new DirectRegistry([{ service: BenchService.name, address: "fake:1", version: "1.0.0" }]);
const invoker = new ClusterInvoker({
  service: BenchService,
  registry,
  transportFactory: () => governedTransport,
});
await invoker.ready();

console.log(`governance micro: ${CALLS} calls per round, ${ROUNDS} rounds per side, median CPU ns per call`);
for (const inFlight of [1, 64]) {
  // Warm-up: both paths optimized before anything is timed.
  await run(direct, CALLS / 2, inFlight);
  await run(invoker, CALLS / 2, inFlight);
  const directNs: number[] = [];
  const governedNs: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    directNs.push(await cpuNsPerCall(direct, CALLS, inFlight));
    governedNs.push(await cpuNsPerCall(invoker, CALLS, inFlight));
  }
  const d = median(directNs);
  const g = median(governedNs);
  const differences = directNs.map((value, i) => governedNs[i]! - value);
  const directBytes = await bytesPerCall(direct, inFlight);
  const governedBytes = await bytesPerCall(invoker, inFlight);
  const bytes = (value: number | undefined) => (value === undefined ? "n/a" : value.toFixed(0));
  console.log(
    `${String(inFlight).padStart(2)} in flight: direct ${d.toFixed(0)} ns, ClusterInvoker ${g.toFixed(0)} ns, ` +
      `governance ${median(differences).toFixed(0)} ns/call (median of paired rounds); ` +
      `allocated ${bytes(directBytes)} B vs ${bytes(governedBytes)} B per call ` +
      `(governance ${directBytes === undefined || governedBytes === undefined ? "n/a" : (governedBytes - directBytes).toFixed(0)} B)`,
  );
}
await invoker.close();
