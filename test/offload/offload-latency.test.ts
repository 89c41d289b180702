import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import type { OffloadOptions } from "@rpcgen/runtime";
import { Cleanup } from "../runtime/transport/harness.js";
import { startWorkServer, type WorkServer } from "./offload-harness.js";
import { workHandlersModule } from "./offload-harness.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const heavyMs = 50;
const heavyCallers = 2;
const windowMs = 1500;
const cheapGapMs = 2;

/**
 * Keeps `heavyCallers` calls of a 50 ms CPU-bound method in flight for
 * `windowMs`, and meanwhile calls a cheap method one at a time (2 ms apart);
 * returns the cheap calls' p99 and how many heavy calls completed.
 */
async function cheapP99UnderHeavyLoad(work: WorkServer): Promise<{ p99: number; cheapCalls: number; heavyCalls: number }> {
  await work.call("heavy", [5]);
  await work.call("cheap", ["warm"]);
  const stopAt = performance.now() + windowMs;
  let heavyCalls = 0;
  const heavyLoop = async (): Promise<void> => {
    while (performance.now() < stopAt) {
      await work.call("heavy", [heavyMs]);
      heavyCalls++;
    }
  };
  const loops = Array.from({ length: heavyCallers }, heavyLoop);
  await sleep(100);
  const latencies: number[] = [];
  while (performance.now() < stopAt) {
    const started = performance.now();
    await work.call("cheap", ["ping"]);
    latencies.push(performance.now() - started);
    await sleep(cheapGapMs);
  }
  await Promise.all(loops);
  latencies.sort((a, b) => a - b);
  const p99 = latencies[Math.ceil(latencies.length * 0.99) - 1]!;
  return { p99, cheapCalls: latencies.length, heavyCalls };
}

describe("a CPU-heavy method beside a cheap one", () => {
  it("keeps the cheap method's p99 low when the heavy one is offloaded, and not when it runs inline", async () => {
    // Work.heavy is annotated rpc.offload = "worker"; "inline" overrides that for the baseline.
    const inlineOptions: OffloadOptions = { methods: { "Work.heavy": "inline" } };
    const inline = await cheapP99UnderHeavyLoad(await startWorkServer(cleanup, inlineOptions));
    await cleanup.run();
    const offloaded = await cheapP99UnderHeavyLoad(await startWorkServer(cleanup, { services: { Work: workHandlersModule }, threads: 1 }));

    // Both runs really carried the heavy load.
    expect(inline.heavyCalls).toBeGreaterThan(10);
    expect(offloaded.heavyCalls).toBeGreaterThan(10);
    // Inline, a cheap call waits behind 50 ms handlers on the event loop...
    expect(inline.p99).toBeGreaterThan(heavyMs / 2);
    // ...offloaded, it does not (generous bound: 2 cores, client and server in one process).
    expect(offloaded.p99).toBeLessThan(inline.p99 / 2);
    console.log(
      `cheap p99 under heavy load: inline ${inline.p99.toFixed(2)} ms (${inline.cheapCalls} calls), ` +
        `offloaded ${offloaded.p99.toFixed(2)} ms (${offloaded.cheapCalls} calls)`,
    );
  });
});
