import type { MethodDescriptor, Policy, ServiceDescriptor } from "../descriptor.js";
import type { Code } from "../errors.js";
import type { Logger } from "../logger.js";
import type { Registry } from "../registry/registry.js";
import type { BackoffOptions } from "./backoff.js";
import type { BulkheadOptions } from "./bulkhead.js";
import type { BreakerOptions } from "./circuit-breaker.js";
import type { BalancerName, LoadBalancer } from "./load-balancer.js";
import type { MethodOverrides } from "./method-policy.js";
import type { TransportFactory } from "./provider-transport.js";
import type { ClientTlsOptions } from "../security/client-tls.js";
import type { RetryBudgetOptions } from "./retry-budget.js";
import type { RandomSource } from "./seeded-random.js";

/** What a fallback learns about the call it stands in for. */
export interface FallbackContext {
  readonly service: ServiceDescriptor;
  readonly method: MethodDescriptor;
  /** Addresses of the providers tried, in order (empty if no provider could be tried). */
  readonly attempts: readonly string[];
}

/**
 * Produces a degraded answer for a call that could not be served (service
 * degradation): gets the call's arguments, the error, and the context; its
 * result (or promise) becomes the call's result.
 */
export type FallbackFunction = (args: readonly unknown[], error: unknown, context: FallbackContext) => unknown;

/** Breaker settings; `failureCodes` chooses which errors count against a provider. */
export interface BreakerSettings extends Partial<BreakerOptions> {
  failureCodes?: readonly Code[];
}

/** Options of a governed client for one service. Only `service` and `registry` are required. */
export interface ClusterInvokerOptions {
  service: ServiceDescriptor;
  registry: Registry;
  /** Semver range the providers' versions must satisfy, e.g. ">=1.0 <2". Default: any version. */
  versionRange?: string;
  /** Balancer by name or instance. Default "random". */
  balancer?: BalancerName | LoadBalancer;
  /** Fault policy for methods with no `rpc.policy` hint or override. Default "failover". */
  policy?: Policy;
  /** Retries for methods with no `rpc.retries` hint or override. Default 2. */
  retries?: number;
  /** Whether methods with no `rpc.idempotent` hint may be retried. Default false. */
  idempotent?: boolean;
  /** Deadline of a call (all attempts together) when neither the caller nor a hint sets one. Default 10000. */
  timeoutMs?: number;
  /** Limit of a single attempt, so a retry has time left; default: the whole remaining deadline. */
  attemptTimeoutMs?: number;
  /** Providers called at once by the forking policy. Default 2. */
  forks?: number;
  /** Per-method settings by IDL method name; they win over the method's hints. */
  methods?: Readonly<Record<string, MethodOverrides>>;
  /** Per-method fallbacks by IDL method name. */
  fallbacks?: Readonly<Record<string, FallbackFunction>>;
  breaker?: BreakerSettings;
  bulkhead?: Partial<BulkheadOptions>;
  retryBudget?: Partial<RetryBudgetOptions>;
  backoff?: Partial<BackoffOptions>;
  /** Opens the transport of one provider. Default: a client Channel to its address. */
  transportFactory?: TransportFactory;
  /**
   * TLS to the providers, for the default transport (with a transportFactory of
   * your own, give it to channelTransportFactory instead). Without it, providers
   * that advertise `tls: "true"` in the registry are still called over TLS.
   */
  tls?: ClientTlsOptions | true;
  /** Sent to every provider as `authorization: Bearer <token>`, for the default transport. */
  token?: string;
  logger?: Logger;
  /** Randomness for balancers and jitter; fix it in tests. */
  random?: RandomSource;
  /** Clock for latency and breaker windows (ms). Default Date.now. */
  now?: () => number;
}
