/** What a load balancer can see of a provider. */
export interface BalancedEndpoint {
  /** Stable identity of the provider (its address). */
  readonly key: string;
  /** Relative weight (> 0); providers registered with weight ≤ 0 are given 0 and picked last. */
  readonly weight: number;
  /** Calls this client has in flight on the provider. */
  readonly inFlight: number;
  /** EWMA of observed latency in ms; undefined until the first observation. */
  readonly latencyEwmaMs: number | undefined;
}

/** Per-call information a balancer may use. */
export interface PickContext {
  /** Routing key for consistent hashing, if the call has one. */
  readonly routeKey: string | undefined;
  /**
   * Every provider of the service currently known, selectable or not. Consistent
   * hashing builds its ring over these so that a provider excluded for one call
   * (tried already, breaker open) does not remap the keys of the others.
   * The cluster invoker hands the same array to every call until membership
   * (or a weight) changes, so a balancer may cache what it derives from it.
   */
  readonly members: readonly BalancedEndpoint[];
}

/**
 * Chooses one provider among candidates (never empty) for one attempt. When
 * every member can take the call, `candidates` is `context.members` itself.
 * Runs on every call: it should not allocate.
 */
export interface LoadBalancer {
  readonly name: BalancerName;
  pick<E extends BalancedEndpoint>(candidates: readonly E[], context: PickContext): E;
}

export type BalancerName = "random" | "round-robin" | "least-pending" | "consistent-hash" | "p2c-latency";

export const BALANCER_NAMES: readonly BalancerName[] = [
  "random",
  "round-robin",
  "least-pending",
  "consistent-hash",
  "p2c-latency",
];

/** Weight used by balancers: negative, NaN and infinite weights are treated as 0. */
export function effectiveWeight(endpoint: BalancedEndpoint): number {
  const weight = endpoint.weight;
  return Number.isFinite(weight) && weight > 0 ? weight : 0;
}
