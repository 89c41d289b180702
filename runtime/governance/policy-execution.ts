import { Code, RpcError } from "../errors.js";
import { startAttempt, type AttemptOwner } from "./attempt.js";
import { backoffDelay, type BackoffOptions } from "./backoff.js";
import { abortableDelay } from "./abortable-delay.js";
import type { Endpoint } from "./endpoint.js";
import { isDeclaredException, isRetryableError } from "./failure-classification.js";
import type { GovernedCall } from "./governed-call.js";
import { callFailure, type FailedAttempt } from "./call-failed-error.js";
import { isRequeueable, MAX_REQUEUES_PER_CALL, retriesAllowed } from "./requeue-rule.js";
import type { RetryBudget } from "./retry-budget.js";
import type { RandomSource } from "./seeded-random.js";

/**
 * What a policy needs from the cluster invoker. Made once per invoker: every
 * per-call fact travels in the GovernedCall, so a call builds no closures.
 */
export interface PolicyEnvironment extends AttemptOwner {
  /**
   * Picks a provider that can take a call, skipping those `skip` rejects (none
   * when undefined). Start its attempt before the next await.
   */
  select(call: GovernedCall, skip: ((endpoint: Endpoint) => boolean) | undefined): Endpoint | undefined;
  /** The error for "no provider can take this call". */
  noProvider(): RpcError;
  /** One attempt on `endpoint`; `cancel` aborts it early (a forking loser). */
  attempt(call: GovernedCall, endpoint: Endpoint, cancel: AbortSignal | undefined): Promise<unknown>;
  readonly budget: RetryBudget;
  readonly backoff: BackoffOptions;
  readonly random: RandomSource;
  /** Counters the invoker exposes in its stats. */
  onRetry(): void;
  onRetryDenied(): void;
  /** A failed attempt was sent again elsewhere without charge to the budget (see isRequeueable). */
  onRequeue(): void;
  /** Turns the failure of the call into its answer (fallback, failsafe), or rethrows it. */
  recover(error: unknown, call: GovernedCall): Promise<unknown>;
  /** The call is over: gives back its bulkhead slot and releases its scope. */
  release(call: GovernedCall): void;
  /** This module's continueAfterFailure with this environment (an AttemptOwner calls it). */
  continueAfterFailure(call: GovernedCall, endpoint: Endpoint, error: unknown): Promise<unknown>;
}

/**
 * Runs an admitted call (it holds a bulkhead slot) to its end under its
 * policy: the attempts, then recovery if they failed, then `env.release`.
 */
export function runPolicy(env: PolicyEnvironment, call: GovernedCall): Promise<unknown> {
  return call.policy.policy === "forking" ? runForking(env, call) : runSequential(env, call);
}

/**
 * failfast, failtry, failover and failsafe: attempts one after another. Only
 * failtry and failover retry, and only for idempotent methods, only after
 * errors another attempt may fix, within the shared deadline and the retry
 * budget. failtry stays on the provider that failed (and stops if that one can
 * no longer take calls); failover moves to providers not tried yet, and never
 * back to the one that just failed while another can take the call. Apart from
 * retries, a call that was never sent, or (when it may be retried) whose
 * connection was lost under it, is requeued on another provider: see
 * isRequeueable.
 *
 * The first attempt is started without an async function, as the owner of the
 * call (see startAttempt): when it is answered, which is the usual call, the
 * caller gets the transport's own promise and governance adds no promise hop.
 * Anything else goes on in sequentialAttempts.
 */
function runSequential(env: PolicyEnvironment, call: GovernedCall): Promise<unknown> {
  let endpoint: Endpoint | undefined;
  try {
    endpoint = env.select(call, undefined);
  } catch (error) {
    return recoverAndRelease(env, call, error);
  }
  if (endpoint === undefined) return sequentialAttempts(env, call, undefined, undefined);
  return startAttempt(call, endpoint, undefined, env);
}

/**
 * What runSequential's call does after its first attempt, on `endpoint`,
 * failed with `error` (already booked): the rest of the policy, ending with
 * recovery if the call failed, then `env.release`.
 */
export function continueAfterFailure(
  env: PolicyEnvironment,
  call: GovernedCall,
  endpoint: Endpoint,
  error: unknown,
): Promise<unknown> {
  return sequentialAttempts(env, call, endpoint, error);
}

/** A call that failed before any attempt: its recovery, then its release. */
async function recoverAndRelease(env: PolicyEnvironment, call: GovernedCall, error: unknown): Promise<unknown> {
  try {
    return await env.recover(error, call);
  } finally {
    env.release(call);
  }
}

/**
 * runSequential's call after its first attempt: `first` is the provider that
 * attempt was made on and failed with `firstError` (undefined: no provider
 * could take the call). After each failure the call is requeued (see
 * isRequeueable), else retried under the policy's rules, else it fails with
 * every attempt named (see callFailure). Ends with recovery if it failed, then
 * `env.release`.
 */
async function sequentialAttempts(
  env: PolicyEnvironment,
  call: GovernedCall,
  first: Endpoint | undefined,
  firstError: unknown,
): Promise<unknown> {
  const policy = call.policy;
  const maxRetries = retriesAllowed(policy);
  const tried = new Set<Endpoint>();
  const failed: FailedAttempt[] = [];
  let retries = 0;
  let requeues = 0;
  let endpoint = first;
  let error = firstError;
  try {
    if (endpoint === undefined) throw env.noProvider();
    for (;;) {
      // The service's answer, or a caller who gave up: reported as they are.
      if (isDeclaredException(error) || call.cancelledByCaller) throw error;
      failed.push({ address: endpoint.key, error });
      tried.add(endpoint);
      if (call.ended) throw callFailure(call.method.fullName, failed);

      const requeueTo =
        requeues < MAX_REQUEUES_PER_CALL && isRequeueable(error, policy)
          ? env.select(call, (e) => tried.has(e))
          : undefined;
      if (requeueTo !== undefined) {
        requeues += 1;
        env.onRequeue();
        endpoint = requeueTo;
      } else {
        if (retries >= maxRetries || !isRetryableError(error, policy.idempotent)) {
          throw callFailure(call.method.fullName, failed, whyNotRetried(call, error));
        }
        const delay = backoffDelay(retries + 1, env.backoff, env.random);
        // A retry that cannot start before the deadline would only turn the real error into a timeout.
        if (delay >= call.remainingMs()) {
          throw callFailure(call.method.fullName, failed, "the deadline would pass during its backoff");
        }
        if (!env.budget.tryWithdraw()) {
          env.onRetryDenied();
          throw callFailure(call.method.fullName, failed, "retry budget exhausted");
        }
        retries += 1;
        env.onRetry();
        await abortableDelay(delay, call.signal);
        const next = selectRetry(env, call, endpoint, tried);
        if (next === undefined) throw callFailure(call.method.fullName, failed, env.noProvider().message);
        endpoint = next;
      }
      try {
        return await env.attempt(call, endpoint, undefined);
      } catch (thrown) {
        error = thrown;
      }
    }
  } catch (failure) {
    return await env.recover(failure, call);
  } finally {
    env.release(call);
  }
}

/**
 * The provider of a retry. failtry: the one that failed, or none if it can no
 * longer take calls. failover: one not tried yet, else one tried earlier but
 * not the one that just failed, else (rather than failing) that one.
 */
function selectRetry(
  env: PolicyEnvironment,
  call: GovernedCall,
  last: Endpoint,
  tried: ReadonlySet<Endpoint>,
): Endpoint | undefined {
  if (call.policy.policy === "failtry") return env.select(call, (e) => e !== last);
  return env.select(call, (e) => tried.has(e)) ?? env.select(call, (e) => e === last) ?? env.select(call, undefined);
}

/**
 * What to tell the caller about a retry the policy would have made but for the
 * method: an error another attempt could fix, on a method that is not idempotent.
 */
function whyNotRetried(call: GovernedCall, error: unknown): string | undefined {
  const policy = call.policy;
  const retryingPolicy = (policy.policy === "failtry" || policy.policy === "failover") && policy.retries > 0;
  if (!retryingPolicy || policy.idempotent || !isRetryableError(error, false)) return undefined;
  return `${call.method.fullName} is not idempotent`;
}

/**
 * forking: sends the call to `forks` different providers at once; the first
 * answer wins and the others are cancelled through their signal. Running a call
 * several times is only safe when it is idempotent, so other methods get one
 * provider. Fails only when every fork has failed.
 */
async function runForking(env: PolicyEnvironment, call: GovernedCall): Promise<unknown> {
  try {
    return await forkAttempts(env, call);
  } catch (error) {
    return await env.recover(error, call);
  } finally {
    env.release(call);
  }
}

/** The attempts of a forking call; see runForking. */
async function forkAttempts(env: PolicyEnvironment, call: GovernedCall): Promise<unknown> {
  const policy = call.policy;
  const forks = policy.idempotent ? Math.max(1, policy.forks) : 1;
  const chosen: Endpoint[] = [];
  while (chosen.length < forks) {
    const endpoint = env.select(call, (e) => chosen.includes(e));
    if (endpoint === undefined) break;
    chosen.push(endpoint);
  }
  if (chosen.length === 0) throw env.noProvider();
  if (chosen.length === 1) return env.attempt(call, chosen[0]!, undefined);

  // Every attempt is started below, before any await, as `select` requires.
  const losers = new AbortController();
  const signal = AbortSignal.any([call.signal, losers.signal]);
  return new Promise<unknown>((resolve, reject) => {
    let outstanding = chosen.length;
    let worstError: unknown;
    for (const endpoint of chosen) {
      env.attempt(call, endpoint, signal).then(
        (value) => {
          losers.abort(new RpcError(Code.CANCELLED, "another fork answered first"));
          resolve(value);
        },
        (error: unknown) => {
          // A declared exception is the service's answer: it wins like a success.
          if (isDeclaredException(error)) {
            losers.abort(new RpcError(Code.CANCELLED, "another fork answered first"));
            reject(error);
            return;
          }
          if (worstError === undefined || (error instanceof RpcError && error.code !== Code.CANCELLED))
            worstError = error;
          outstanding -= 1;
          if (outstanding === 0) reject(worstError);
        },
      );
    }
  });
}
