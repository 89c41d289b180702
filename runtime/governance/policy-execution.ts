import { Code, RpcError } from "../errors.js";
import { attemptFailed, attemptOptions, attemptSucceeded, openAttempt, type AttemptSettings } from "./attempt.js";
import type { BreakerPermit } from "./circuit-breaker.js";
import { backoffDelay, type BackoffOptions } from "./backoff.js";
import { abortableDelay } from "./call-scope.js";
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
export interface PolicyEnvironment {
  /**
   * Picks a provider that can take a call, skipping those `skip` rejects (none
   * when undefined). Start its attempt before the next await.
   */
  select(call: GovernedCall, skip: ((endpoint: Endpoint) => boolean) | undefined): Endpoint | undefined;
  /** The error for "no provider can take this call". */
  noProvider(): RpcError;
  /** One attempt on `endpoint`; `cancel` aborts it early (a forking loser). */
  attempt(call: GovernedCall, endpoint: Endpoint, cancel: AbortSignal | undefined): Promise<unknown>;
  readonly attemptSettings: AttemptSettings;
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
}

/**
 * Runs an admitted call (it holds a bulkhead slot) to its end under its
 * policy: the attempts, then recovery if they failed, then `env.release`.
 * Doing all of it in one async function keeps a call that succeeds at once to
 * a single async frame of governance.
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
 * The usual call (a provider that enforces its own deadline answers the first
 * attempt) is run here without an async function: its reply is booked in one
 * `then`, which costs less than resuming an async frame. Anything else goes on
 * in sequentialAttempts.
 */
function runSequential(env: PolicyEnvironment, call: GovernedCall): Promise<unknown> {
  let endpoint: Endpoint | undefined;
  try {
    endpoint = env.select(call, undefined);
  } catch (error) {
    return recoverAndRelease(env, call, error);
  }
  if (endpoint === undefined || !endpoint.enforcesCallLimits) {
    return sequentialAttempts(env, call, endpoint, false, undefined);
  }
  const settings = env.attemptSettings;
  let permit: BreakerPermit;
  try {
    permit = openAttempt(call, endpoint);
  } catch (error) {
    return sequentialAttempts(env, call, endpoint, true, error);
  }
  const wallNow = call.now();
  const started = settings.now === undefined ? wallNow : settings.now();
  let reply: Promise<unknown>;
  try {
    reply = endpoint.transport.invoke(
      call.method,
      call.args,
      attemptOptions(call, call.callerSignal, wallNow, settings),
    );
  } catch (thrown) {
    const error = attemptFailed(settings, endpoint, permit, started, thrown);
    endpoint.callEnded();
    return sequentialAttempts(env, call, endpoint, true, error);
  }
  const answered = endpoint;
  return reply.then(
    (result) => {
      try {
        attemptSucceeded(settings, answered, permit, started);
      } finally {
        answered.callEnded();
        env.release(call);
      }
      return result;
    },
    (thrown: unknown) => {
      const error = attemptFailed(settings, answered, permit, started, thrown);
      answered.callEnded();
      return sequentialAttempts(env, call, answered, true, error);
    },
  );
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
 * runSequential's attempts from the first one on: `first` is the provider
 * selected for it (undefined: none could take the call), and when
 * `firstFailed` it has already been made there and failed with `firstError`.
 * After each failure the call is requeued (see isRequeueable), else retried
 * under the policy's rules, else it fails with every attempt named
 * (see callFailure). Ends with recovery if it failed, then `env.release`.
 */
async function sequentialAttempts(
  env: PolicyEnvironment,
  call: GovernedCall,
  first: Endpoint | undefined,
  firstFailed: boolean,
  firstError: unknown,
): Promise<unknown> {
  const policy = call.policy;
  const maxRetries = retriesAllowed(policy);
  // Only a failed attempt needs these, so a call answered at once builds nothing.
  let tried: Set<Endpoint> | undefined;
  let failed: FailedAttempt[] | undefined;
  let retries = 0;
  let requeues = 0;
  let endpoint = first;
  let pendingError = firstFailed;
  try {
    if (endpoint === undefined) throw env.noProvider();
    for (;;) {
      let error: unknown;
      try {
        if (pendingError) {
          pendingError = false;
          throw firstError;
        }
        return await env.attempt(call, endpoint, undefined);
      } catch (thrown) {
        error = thrown;
      }
      // The service's answer, or a caller who gave up: reported as they are.
      if (isDeclaredException(error) || call.cancelledByCaller) throw error;
      (failed ??= []).push({ address: endpoint.key, error });
      const triedSoFar = (tried ??= new Set()).add(endpoint);
      if (call.ended) throw callFailure(call.method.fullName, failed);

      if (requeues < MAX_REQUEUES_PER_CALL && isRequeueable(error, policy)) {
        const other = env.select(call, (e) => triedSoFar.has(e));
        if (other !== undefined) {
          requeues += 1;
          env.onRequeue();
          endpoint = other;
          continue;
        }
      }

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
      const next = selectRetry(env, call, endpoint, triedSoFar);
      if (next === undefined) throw callFailure(call.method.fullName, failed, env.noProvider().message);
      endpoint = next;
    }
  } catch (error) {
    return await env.recover(error, call);
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
