import type { BalancedEndpoint, LoadBalancer } from "./load-balancer.js";
import { pickWeightedRandom } from "./random-balancer.js";
import type { RandomSource } from "./seeded-random.js";

/** Sends each call to the provider with the fewest calls in flight; ties go by weighted random. */
export class LeastPendingBalancer implements LoadBalancer {
  readonly name = "least-pending";

  constructor(private readonly random: RandomSource = Math.random) {}

  pick<E extends BalancedEndpoint>(candidates: readonly E[]): E {
    let fewest = Infinity;
    for (const candidate of candidates) fewest = Math.min(fewest, candidate.inFlight);
    const tied = candidates.filter((c) => c.inFlight === fewest);
    return tied.length === 1 ? tied[0]! : pickWeightedRandom(tied, this.random);
  }
}
