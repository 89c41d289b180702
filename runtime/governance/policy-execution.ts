import { Code, RpcError } from "../errors.js";
import { backoffDelay, type BackoffOptions } from "./backoff.js";
import { abortableDelay, type CallScope } from "./call-scope.js";
import type { Choice } from "./attempt.js";
import type { Endpoint } from "./endpoint.js";
import { isDeclaredException, isRetryableError } from "./failure-classification.js";
import type { MethodPolicy } from "./method-policy.js";
import type { RetryBudget } from "./retry-budget.js";
import type { RandomSource } from "./seeded-random.js";

/** What a policy needs from the cluster invoker to run one call. */
export interface PolicyEnvironment {
  readonly scope: CallScope;
  /** Picks a provider that can take a call, skipping those `skip` rejects; takes its breaker permit. */
  select(skip: (endpoint: Endpoint) => boolean): Choice | undefined;
  /** The error for "no provider can take this call". */
  noProvider(): RpcError;
  attempt(choice: Choice, signal: AbortSignal): Promise<unknown>;
  readonly budget: RetryBudget;
  readonly backoff: BackoffOptions;
  readonly random: RandomSource;
  /** Counters the invoker exposes in its stats. */
  onRetry(): void;
  onRetryDenied(): void;
}

/**
 * failfast, failtry, failover and failsafe: attempts one after another. Only
 * failtry and failover retry, and only for idempotent methods, only after
 * errors another attempt may fix, within the shared deadline and the retry
 * budget. failtry stays on the provider that failed (and stops if that one can
 * no longer take calls); failover moves to providers not tried yet, and never
 * back to the one that just failed while another can take the call.
 */
export async function runSequential(env: PolicyEnvironment, policy: MethodPolicy): Promise<unknown> {
  const retrying = (policy.policy === "failtry" || policy.policy === "failover") && policy.idempotent;
  const maxRetries = retrying ? Math.max(0, policy.retries) : 0;
  const tried = new Set<Endpoint>();
  let previous: Endpoint | undefined;
  let lastError: unknown;
  for (let attempt = 0; attempt <= maxRetries; attempt++) {
    let choice: Choice | undefined;
    if (previous === undefined) {
      choice = env.select(() => false);
    } else if (policy.policy === "failtry") {
      const same = previous;
      choice = env.select((e) => e !== same);
    } else {
      const last = previous;
      choice = env.select((e) => tried.has(e)) ?? env.select((e) => e === last) ?? env.select(() => false);
    }
    if (choice === undefined) throw previous === undefined ? env.noProvider() : lastError;
    tried.add(choice.endpoint);
    previous = choice.endpoint;
    try {
      return await env.attempt(choice, env.scope.signal);
    } catch (error) {
      lastError = error;
      if (attempt >= maxRetries || env.scope.signal.aborted || !isRetryableError(error, policy.idempotent)) throw error;
      const delay = backoffDelay(attempt + 1, env.backoff, env.random);
      // A retry that cannot start before the deadline would only turn the real error into a timeout.
      if (delay >= env.scope.remainingMs()) throw error;
      if (!env.budget.tryWithdraw()) {
        env.onRetryDenied();
        throw error;
      }
      env.onRetry();
      await abortableDelay(delay, env.scope.signal);
    }
  }
  throw lastError;
}

/**
 * forking: sends the call to `forks` different providers at once; the first
 * answer wins and the others are cancelled through their signal. Running a call
 * several times is only safe when it is idempotent, so other methods get one
 * provider. Fails only when every fork has failed.
 */
export async function runForking(env: PolicyEnvironment, policy: MethodPolicy): Promise<unknown> {
  const forks = policy.idempotent ? Math.max(1, policy.forks) : 1;
  const chosen = new Set<Endpoint>();
  const choices: Choice[] = [];
  while (choices.length < forks) {
    const choice = env.select((e) => chosen.has(e));
    if (choice === undefined) break;
    chosen.add(choice.endpoint);
    choices.push(choice);
  }
  if (choices.length === 0) throw env.noProvider();
  if (choices.length === 1) return env.attempt(choices[0]!, env.scope.signal);

  const losers = new AbortController();
  const signal = AbortSignal.any([env.scope.signal, losers.signal]);
  return new Promise<unknown>((resolve, reject) => {
    let outstanding = choices.length;
    let worstError: unknown;
    for (const choice of choices) {
      env.attempt(choice, signal).then(
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
