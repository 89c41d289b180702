import { effectiveWeight, type BalancedEndpoint, type LoadBalancer } from "./load-balancer.js";

/**
 * Smooth weighted round-robin, as in nginx: weights 5,1,1 give a,a,b,a,c,a,a
 * rather than a,a,a,a,a,b,c, so a heavy provider's calls are spread out. Every
 * pick adds each candidate's weight to its running score, takes the highest and
 * subtracts the total from the winner.
 */
export class RoundRobinBalancer implements LoadBalancer {
  readonly name = "round-robin";
  private readonly scores = new Map<string, number>();

  pick<E extends BalancedEndpoint>(candidates: readonly E[]): E {
    let total = 0;
    let best: E | undefined;
    let bestScore = -Infinity;
    // All-zero weights would never move any score; treat them as equal.
    const allZero = candidates.every((c) => effectiveWeight(c) === 0);
    for (const candidate of candidates) {
      const weight = allZero ? 1 : effectiveWeight(candidate);
      const score = (this.scores.get(candidate.key) ?? 0) + weight;
      this.scores.set(candidate.key, score);
      total += weight;
      if (score > bestScore) {
        best = candidate;
        bestScore = score;
      }
    }
    this.scores.set(best!.key, bestScore - total);
    this.forgetDeparted(candidates);
    return best!;
  }

  /** Keeps the score map from growing with providers that came and went. */
  private forgetDeparted(candidates: readonly BalancedEndpoint[]): void {
    if (this.scores.size <= candidates.length * 2 + 16) return;
    const present = new Set(candidates.map((c) => c.key));
    for (const key of this.scores.keys()) if (!present.has(key)) this.scores.delete(key);
  }
}
