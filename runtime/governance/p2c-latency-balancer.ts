import type { BalancedEndpoint, LoadBalancer } from "./load-balancer.js";
import { pickWeightedRandom, pickWeightedRandomAmong } from "./random-balancer.js";
import type { RandomSource } from "./seeded-random.js";

/**
 * Power of two choices on latency: draws two different providers at random
 * (weighted) and keeps the one with the lower cost, where cost is the latency
 * EWMA times (calls in flight + 1), so a fast provider that is already busy does
 * not take everything. A provider with no observation yet costs 0 and is tried.
 */
export class P2cLatencyBalancer implements LoadBalancer {
  readonly name = "p2c-latency";

  constructor(private readonly random: RandomSource = Math.random) {}

  pick<E extends BalancedEndpoint>(candidates: readonly E[]): E {
    if (candidates.length === 1) return candidates[0]!;
    const first = pickWeightedRandom(candidates, this.random);
    const second = pickWeightedRandomAmong(candidates, this.random, isNot, first);
    return cost(second) < cost(first) ? second : first;
  }
}

function isNot(candidate: BalancedEndpoint, excluded: BalancedEndpoint): boolean {
  return candidate !== excluded;
}

function cost(endpoint: BalancedEndpoint): number {
  return (endpoint.latencyEwmaMs ?? 0) * (endpoint.inFlight + 1);
}
