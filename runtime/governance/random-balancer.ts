import { effectiveWeight, type BalancedEndpoint, type LoadBalancer } from "./load-balancer.js";
import type { RandomSource } from "./seeded-random.js";

/** Picks a candidate with probability proportional to its weight (uniform if all weights are 0). */
export function pickWeightedRandom<E extends BalancedEndpoint>(candidates: readonly E[], random: RandomSource): E {
  let total = 0;
  for (const candidate of candidates) total += effectiveWeight(candidate);
  if (total === 0) return candidates[Math.floor(random() * candidates.length)]!;
  let point = random() * total;
  for (const candidate of candidates) {
    point -= effectiveWeight(candidate);
    if (point < 0) return candidate;
  }
  // Rounding can leave `point` at exactly 0 after the loop: the last weighted candidate wins.
  for (let i = candidates.length - 1; i >= 0; i--) {
    if (effectiveWeight(candidates[i]!) > 0) return candidates[i]!;
  }
  return candidates[candidates.length - 1]!;
}

/** Weighted random: each call picks a provider with probability weight / total weight. */
export class RandomBalancer implements LoadBalancer {
  readonly name = "random";

  constructor(private readonly random: RandomSource = Math.random) {}

  pick<E extends BalancedEndpoint>(candidates: readonly E[]): E {
    return pickWeightedRandom(candidates, this.random);
  }
}
