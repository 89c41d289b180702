import { createHash } from "node:crypto";
import { effectiveWeight, type BalancedEndpoint, type LoadBalancer, type PickContext } from "./load-balancer.js";
import { pickWeightedRandom } from "./random-balancer.js";
import type { RandomSource } from "./seeded-random.js";

/** Virtual nodes per provider of the default weight (100); scaled by weight. */
export const DEFAULT_VIRTUAL_NODES = 160;

interface Ring {
  /** Key and weight of each member it was built from, in order. */
  readonly keys: readonly string[];
  readonly weights: readonly number[];
  /** Sorted hash points. */
  readonly points: Uint32Array;
  /** Owner key of each point, same order as `points`. */
  readonly owners: readonly string[];
}

/**
 * Ketama-style consistent hashing on the call's routing key: each provider owns
 * many points on a 32-bit ring (md5, four points per digest) and a key goes to
 * the first point at or after its hash. When a provider leaves, only the keys
 * it owned move. If the owner cannot take the call (breaker open, tried
 * already), the walk continues clockwise to the next provider that can, so
 * other keys stay put. Calls without a key are spread by weighted random.
 */
export class ConsistentHashBalancer implements LoadBalancer {
  readonly name = "consistent-hash";
  private ring: Ring | undefined;

  constructor(
    private readonly virtualNodes: number = DEFAULT_VIRTUAL_NODES,
    private readonly random: RandomSource = Math.random,
  ) {}

  pick<E extends BalancedEndpoint>(candidates: readonly E[], context: PickContext): E {
    if (context.routeKey === undefined) return pickWeightedRandom(candidates, this.random);
    const ring = this.ringFor(context.members.length > 0 ? context.members : candidates);
    if (ring.points.length > 0) {
      const start = firstPointAtOrAfter(ring.points, hashKey(context.routeKey));
      // Usually the key's owner can take the call: found without building anything.
      const owner = candidateWithKey(candidates, ring.owners[start]!);
      if (owner !== undefined) return owner;
      const byKey = new Map(candidates.map((c) => [c.key, c] as const));
      for (let step = 1; step < ring.points.length; step++) {
        const next = byKey.get(ring.owners[(start + step) % ring.points.length]!);
        if (next !== undefined) return next;
      }
    }
    // Candidates that are not ring members (a membership change mid-call): still answer.
    return pickWeightedRandom(candidates, this.random);
  }

  private ringFor(members: readonly BalancedEndpoint[]): Ring {
    if (this.ring !== undefined && sameMembers(this.ring, members)) return this.ring;
    const allZero = members.every((m) => effectiveWeight(m) === 0);
    const entries: Array<{ point: number; owner: string }> = [];
    for (const member of members) {
      const weight = allZero ? 100 : effectiveWeight(member);
      const count = Math.round((this.virtualNodes * weight) / 100);
      for (let digestIndex = 0; digestIndex * 4 < count; digestIndex++) {
        const digest = createHash("md5").update(`${member.key}-${digestIndex}`).digest();
        for (let part = 0; part < 4 && digestIndex * 4 + part < count; part++) {
          entries.push({ point: digest.readUInt32LE(part * 4), owner: member.key });
        }
      }
    }
    // Ties broken by owner so that the ring does not depend on member order.
    entries.sort((a, b) => a.point - b.point || (a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0));
    this.ring = {
      keys: members.map((m) => m.key),
      weights: members.map((m) => effectiveWeight(m)),
      points: Uint32Array.from(entries, (e) => e.point),
      owners: entries.map((e) => e.owner),
    };
    return this.ring;
  }
}

/** Whether `members` still has the keys and weights the ring was built from (checked on every call, allocation-free). */
function sameMembers(ring: Ring, members: readonly BalancedEndpoint[]): boolean {
  if (members.length !== ring.keys.length) return false;
  for (let i = 0; i < members.length; i++) {
    const member = members[i]!;
    if (member.key !== ring.keys[i] || effectiveWeight(member) !== ring.weights[i]) return false;
  }
  return true;
}

function candidateWithKey<E extends BalancedEndpoint>(candidates: readonly E[], key: string): E | undefined {
  for (const candidate of candidates) if (candidate.key === key) return candidate;
  return undefined;
}

function hashKey(key: string): number {
  return createHash("md5").update(key).digest().readUInt32LE(0);
}

function firstPointAtOrAfter(points: Uint32Array, hash: number): number {
  let low = 0;
  let high = points.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (points[middle]! < hash) low = middle + 1;
    else high = middle;
  }
  return low === points.length ? 0 : low;
}
