import { effectiveWeight, type BalancedEndpoint, type LoadBalancer } from "./load-balancer.js";
import type { RandomSource } from "./seeded-random.js";

/** Picks a candidate with probability proportional to its weight (uniform if all weights are 0). */
export function pickWeightedRandom<E extends BalancedEndpoint>(candidates: readonly E[], random: RandomSource): E {
  if (candidates.length === 1) {
    // The one draw the general case makes too, so that a seeded source goes on with the same sequence; Math.random's
    // sequence is nobody's to check, and its draw costs an allocation on every call.
    if (random !== Math.random) random();
    return candidates[0]!;
  }
  return pickWeightedRandomAmong(candidates, random, includeAll, undefined);
}

/**
 * Weighted random among the candidates `include(candidate, arg)` accepts (at
 * least one must be), with exactly the draws and the result of filtering first
 * and then calling pickWeightedRandom, but without building the filtered array:
 * balancers run this on every call. `include` takes `arg` rather than capturing
 * it, so callers pass a module-level function and allocate nothing.
 */
export function pickWeightedRandomAmong<E extends BalancedEndpoint, A>(
  candidates: readonly E[],
  random: RandomSource,
  include: (candidate: E, arg: A) => boolean,
  arg: A,
): E {
  let total = 0;
  let included = 0;
  for (const candidate of candidates) {
    if (!include(candidate, arg)) continue;
    total += effectiveWeight(candidate);
    included += 1;
  }
  if (total === 0) return nthIncluded(candidates, include, arg, Math.floor(random() * included));
  let point = random() * total;
  let lastWeighted: E | undefined;
  let last: E | undefined;
  for (const candidate of candidates) {
    if (!include(candidate, arg)) continue;
    const weight = effectiveWeight(candidate);
    point -= weight;
    if (point < 0) return candidate;
    if (weight > 0) lastWeighted = candidate;
    last = candidate;
  }
  // Rounding can leave `point` at exactly 0 after the loop: the last weighted candidate wins.
  return (lastWeighted ?? last)!;
}

function includeAll(): boolean {
  return true;
}

function nthIncluded<E, A>(candidates: readonly E[], include: (candidate: E, arg: A) => boolean, arg: A, n: number): E {
  let seen = 0;
  let last: E | undefined;
  for (const candidate of candidates) {
    if (!include(candidate, arg)) continue;
    if (seen === n) return candidate;
    seen += 1;
    last = candidate;
  }
  return last!;
}

/** Weighted random: each call picks a provider with probability weight / total weight. */
export class RandomBalancer implements LoadBalancer {
  readonly name = "random";

  constructor(private readonly random: RandomSource = Math.random) {}

  pick<E extends BalancedEndpoint>(candidates: readonly E[]): E {
    return pickWeightedRandom(candidates, this.random);
  }
}
