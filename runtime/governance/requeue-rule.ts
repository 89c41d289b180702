import { deliveryOf } from "../client/connection-lost-error.js";
import type { MethodPolicy } from "./method-policy.js";

/**
 * Most requeues one call may make (see isRequeueable). Each goes to a provider
 * the call has not tried yet, so a call is sent at most 1 + retries + 2 times
 * whatever happens, and the retry budget still caps the retries across calls.
 */
export const MAX_REQUEUES_PER_CALL = 2;

/**
 * Retries a call's policy allows: failtry and failover retry idempotent methods
 * up to `retries` times; every other policy, and any method that is not
 * idempotent, gets none.
 */
export function retriesAllowed(policy: MethodPolicy): number {
  const retrying = (policy.policy === "failtry" || policy.policy === "failover") && policy.idempotent;
  return retrying ? Math.max(0, policy.retries) : 0;
}

/**
 * Whether a failed attempt may be requeued: sent at once to a provider the call
 * has not tried, without a retry-budget token, without backoff and without
 * counting as one of its retries. Like gRPC's transparent retries and
 * Finagle's requeues, this is for failures that say the call was not processed,
 * or that its connection died under it:
 *
 * - never sent (the connection could not be made, or died before the call's
 *   bytes were written): no server saw it, so any method may go elsewhere,
 *   under every policy;
 * - sent, then the connection was lost before the reply: the server may have
 *   run it, so only when the policy would retry it anyway (failtry/failover, an
 *   idempotent method, retries ≥ 1).
 *
 * A provider that dies fails every call it has in flight at once; charging
 * those to the retry budget (a bucket of ~10) would fail most of them, although
 * a single healthy provider could take them all.
 */
export function isRequeueable(error: unknown, policy: MethodPolicy): boolean {
  const delivery = deliveryOf(error);
  if (delivery === "never-sent") return true;
  return delivery === "unanswered" && retriesAllowed(policy) > 0;
}
