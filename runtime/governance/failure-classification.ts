import { DeclaredException } from "../declared-exception.js";
import { Code, RpcError } from "../errors.js";

/**
 * Codes that say something about the provider's health and so count against
 * its circuit breaker. INTERNAL is included because a provider whose handlers
 * all fail (a lost database, a bad deploy) answers with nothing else; a client
 * error (INVALID_ARGUMENT, NOT_FOUND, ...) or a declared exception is an
 * answer and proves the provider is alive.
 */
export const DEFAULT_HEALTH_FAILURE_CODES: readonly Code[] = [Code.UNAVAILABLE, Code.DEADLINE_EXCEEDED, Code.INTERNAL];

/** True for an exception declared in the IDL: the service's answer, never retried or degraded. */
export function isDeclaredException(error: unknown): boolean {
  return error instanceof DeclaredException;
}

/** Whether an attempt's failure should count against the provider's breaker. */
export function isHealthFailure(error: unknown, codes: ReadonlySet<Code>): boolean {
  if (isDeclaredException(error)) return false;
  return codes.has(RpcError.from(error).code);
}

/**
 * Whether another attempt may succeed where this one failed. UNAVAILABLE (which
 * includes refused and reset connections) always may; DEADLINE_EXCEEDED only for
 * idempotent methods, since the first attempt may still have run. Callers check
 * idempotency before retrying at all; this is the per-error half of the rule.
 */
export function isRetryableError(error: unknown, idempotent: boolean): boolean {
  if (isDeclaredException(error)) return false;
  const code = RpcError.from(error).code;
  if (code === Code.UNAVAILABLE) return true;
  return code === Code.DEADLINE_EXCEEDED && idempotent;
}

/**
 * Errors after which a configured fallback (degraded answer) is used: the call
 * could not be served. Caller mistakes and cancellation are not degraded, since
 * a made-up answer would hide them.
 */
export function isServiceFailure(error: unknown): boolean {
  if (isDeclaredException(error)) return false;
  const code = RpcError.from(error).code;
  return (
    code === Code.UNAVAILABLE ||
    code === Code.DEADLINE_EXCEEDED ||
    code === Code.RESOURCE_EXHAUSTED ||
    code === Code.INTERNAL ||
    code === Code.UNKNOWN
  );
}
