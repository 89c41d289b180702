import { closeSync, openSync, readSync } from "node:fs";
import { gunzipSync, gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { defaultFrameLimits } from "@rpcgen/runtime";
import { inflateFrameBody } from "../../../runtime/wire/inflate-frame-body.js";

/**
 * A clock of the calling thread's time on a CPU, in ms (Linux's /proc/thread-self/schedstat),
 * or of wall time where there is none. On a busy machine a turn of the event loop can take
 * long in wall time while the thread merely waits for a CPU; time on the CPU is what a
 * blocking inflate adds.
 */
function mainThreadClock(): { now(): number; close(): void; onCpu: boolean } {
  let fd: number;
  try {
    fd = openSync("/proc/thread-self/schedstat", "r");
  } catch {
    return { now: () => performance.now(), close: () => undefined, onCpu: false };
  }
  const text = Buffer.alloc(128);
  return {
    now: () => Number(text.toString("latin1", 0, readSync(fd, text, 0, text.length, 0)).split(" ")[0]) / 1e6,
    close: () => closeSync(fd),
    onCpu: true,
  };
}

/** Runs `work` while a setImmediate loop ticks: the longest turn between two ticks, on the CPU and in wall time. */
async function longestTurn(work: () => Promise<unknown>): Promise<{ busyMs: number; wallMs: number; ticks: number }> {
  const clock = mainThreadClock();
  let busyMs = 0;
  let wallMs = 0;
  let ticks = 0;
  let running = true;
  let lastBusy = clock.now();
  let lastWall = performance.now();
  const tick = (): void => {
    if (!running) return; // the clock is closed
    const busy = clock.now();
    const wall = performance.now();
    busyMs = Math.max(busyMs, busy - lastBusy);
    wallMs = Math.max(wallMs, wall - lastWall);
    lastBusy = busy;
    lastWall = wall;
    ticks++;
    setImmediate(tick);
  };
  setImmediate(tick);
  try {
    await work();
    // One more tick, to take in the turn in which the work finished.
    await new Promise((resolve) => setImmediate(resolve));
  } finally {
    running = false;
    clock.close();
  }
  return { busyMs, wallMs, ticks };
}

const inflatedBytes = 64 * 1024 * 1024; // the default maxInflatedBodyBytes
const bodies = 20;

describe("inflateFrameBody and the event loop", () => {
  const bomb = gzipSync(Buffer.alloc(inflatedBytes), { level: 9 });

  it("keeps the event loop turning while 20 bodies of ~65 KB inflate to 64 MiB each", async () => {
    expect(bomb.length).toBeLessThan(70 * 1024);
    const sizes: number[] = [];
    const turn = await longestTurn(() =>
      // Only the sizes are kept, so each 64 MiB result can go as soon as it is checked.
      Promise.all(Array.from({ length: bodies }, async () => sizes.push((await inflateFrameBody(bomb, defaultFrameLimits)).length))),
    );
    expect(sizes).toEqual(Array(bodies).fill(inflatedBytes));
    // gunzipSync holds the loop for the whole batch (300 ms and more of CPU: see the next test);
    // off the loop, no turn is long. Counted on the CPU, so a busy machine's waits don't fail it.
    expect(turn.busyMs, `longest turn: ${turn.busyMs.toFixed(0)} ms on the CPU, ${turn.wallMs.toFixed(0)} ms of wall time`).toBeLessThan(100);
    expect(turn.ticks).toBeGreaterThan(100);
  }, 60_000);

  it("measures a blocked loop as blocked (the synchronous inflate, for comparison)", async () => {
    const turn = await longestTurn(async () => {
      await new Promise((resolve) => setImmediate(resolve));
      for (let i = 0; i < bodies; i++) gunzipSync(bomb, { maxOutputLength: inflatedBytes });
    });
    expect(turn.busyMs).toBeGreaterThan(100);
  }, 60_000);
});
