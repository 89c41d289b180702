export { ClusterInvoker, createClusterInvoker, DEFAULT_CALL_TIMEOUT_MS } from "./cluster-invoker.js";
export type { ClusterInvokerOptions, FallbackFunction, FallbackContext, BreakerSettings } from "./cluster-options.js";
export type { ClusterStats, ProviderStats } from "./cluster-stats.js";
export type { EndpointState } from "./endpoint.js";
export { CallFailedError, type FailedAttempt } from "./call-failed-error.js";
export { isRequeueable, MAX_REQUEUES_PER_CALL } from "./requeue-rule.js";
// The transport contract's way to say how far a failed call got (see isRequeueable).
export { ConnectionLostError, deliveryOf, type CallDelivery } from "../client/connection-lost-error.js";
export type { ProviderTransport, ProviderTransportEvent, TransportFactory } from "./provider-transport.js";
export { channelTransportFactory, type ChannelSettings } from "./default-transport.js";
export type { LoadBalancer, BalancedEndpoint, BalancerName, PickContext } from "./load-balancer.js";
export { BALANCER_NAMES } from "./load-balancer.js";
export { createBalancer } from "./balancer-factory.js";
export { RandomBalancer } from "./random-balancer.js";
export { RoundRobinBalancer } from "./round-robin-balancer.js";
export { LeastPendingBalancer } from "./least-pending-balancer.js";
export { ConsistentHashBalancer, DEFAULT_VIRTUAL_NODES } from "./consistent-hash-balancer.js";
export { P2cLatencyBalancer } from "./p2c-latency-balancer.js";
export { seededRandom, type RandomSource } from "./seeded-random.js";
export {
  CircuitBreaker,
  DEFAULT_BREAKER_OPTIONS,
  type BreakerOptions,
  type BreakerState,
  type BreakerPermit,
} from "./circuit-breaker.js";
export { Bulkhead, DEFAULT_BULKHEAD, type BulkheadOptions } from "./bulkhead.js";
export { RetryBudget, DEFAULT_RETRY_BUDGET, type RetryBudgetOptions } from "./retry-budget.js";
export { backoffDelay, DEFAULT_BACKOFF, type BackoffOptions } from "./backoff.js";
export { DEFAULT_HEALTH_FAILURE_CODES, isHealthFailure, isRetryableError } from "./failure-classification.js";
export type { MethodOverrides } from "./method-policy.js";
export { noMatchingVersionError, versionMatches } from "./version-selection.js";
