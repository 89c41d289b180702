/**
 * Delays between the registry's own retries (re-listing, re-registering): short and
 * capped, so discovery resumes soon after etcd returns, with jitter so many clients
 * do not retry in lockstep.
 */
import { setTimeout as sleepFor } from "node:timers/promises";

/** Capped exponential delay for retry number `attempt` (0-based), jittered to 75–100 %. */
export function retryDelayMs(attempt: number, maxDelayMs: number): number {
  const base = Math.min(maxDelayMs, 50 * 2 ** Math.min(attempt, 16));
  return Math.round(base * (0.75 + Math.random() * 0.25));
}

/** Waits `ms`; resolves false instead of waiting when the signal aborts (no rejection). */
export async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  try {
    await sleepFor(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}
