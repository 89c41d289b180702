import type { RandomSource } from "./seeded-random.js";

/** Delays between attempts. */
export interface BackoffOptions {
  /** Ceiling of the first delay. */
  baseMs: number;
  /** Ceiling no delay exceeds, however many attempts. */
  maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 25, maxMs: 1_000 };

/**
 * Capped exponential backoff with full jitter: before retry n (1-based) wait a
 * uniform random time in [0, min(maxMs, baseMs × 2^(n-1))). Jitter keeps many
 * clients that failed together from retrying together.
 */
export function backoffDelay(retry: number, options: BackoffOptions, random: RandomSource): number {
  const ceiling = Math.min(options.maxMs, options.baseMs * 2 ** Math.max(0, retry - 1));
  return random() * ceiling;
}
