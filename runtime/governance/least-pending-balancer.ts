import type { BalancedEndpoint, LoadBalancer } from "./load-balancer.js";
import { pickWeightedRandomAmong } from "./random-balancer.js";
import type { RandomSource } from "./seeded-random.js";

/** Sends each call to the provider with the fewest calls in flight; ties go by weighted random. */
export class LeastPendingBalancer implements LoadBalancer {
  readonly name = "least-pending";

  constructor(private readonly random: RandomSource = Math.random) {}

  pick<E extends BalancedEndpoint>(candidates: readonly E[]): E {
    let fewest = Infinity;
    let tied = 0;
    let first: E | undefined;
    for (const candidate of candidates) {
      if (candidate.inFlight < fewest) {
        fewest = candidate.inFlight;
        tied = 1;
        first = candidate;
      } else if (candidate.inFlight === fewest) {
        tied += 1;
      }
    }
    return tied === 1 ? first! : pickWeightedRandomAmong(candidates, this.random, hasInFlight, fewest);
  }
}

function hasInFlight(candidate: BalancedEndpoint, inFlight: number): boolean {
  return candidate.inFlight === inFlight;
}
