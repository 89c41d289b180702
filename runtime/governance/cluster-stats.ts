import type { Policy } from "../descriptor.js";
import type { EndpointState } from "./endpoint.js";

/** Counters of one provider, as seen by one cluster invoker. */
export interface ProviderStats {
  readonly address: string;
  readonly version: string;
  readonly weight: number;
  /**
   * What this client makes of the provider: `closed` (takes calls), `half-open`
   * (one trial call), `breaker-open`, `unreachable` (connection lost or refused
   * and no answer to a ping), `draining` (it sent goaway), `removed`.
   */
  readonly state: EndpointState;
  /** Attempts sent to this provider. */
  readonly calls: number;
  /** Attempts that failed with an error (declared exceptions and cancellations excluded). */
  readonly failures: number;
  readonly inFlight: number;
  readonly latencyEwmaMs: number | undefined;
}

/** A snapshot of a cluster invoker's counters, for dashboards and the demo. */
export interface ClusterStats {
  readonly service: string;
  readonly versionRange: string | undefined;
  readonly balancer: string;
  readonly policy: Policy;
  /** Calls made through the invoker. */
  readonly calls: number;
  /** Calls that ended in an error for the caller (declared exceptions excluded). */
  readonly failures: number;
  readonly retries: number;
  /** Retries not made because the retry budget was spent. */
  readonly retriesDenied: number;
  /**
   * Attempts sent again to another provider because the previous one was never
   * sent or lost with its connection; not charged to the retry budget.
   */
  readonly requeues: number;
  /** Calls answered by a fallback or by failsafe. */
  readonly fallbacks: number;
  readonly retryBudgetAvailable: number;
  readonly bulkhead: { readonly inFlight: number; readonly queued: number; readonly rejected: number };
  readonly providers: readonly ProviderStats[];
}
