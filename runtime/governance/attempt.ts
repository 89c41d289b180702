import type { CallOptions } from "../call.js";
import { Code, RpcError } from "../errors.js";
import type { BreakerPermit } from "./circuit-breaker.js";
import type { Endpoint } from "./endpoint.js";
import { isDeclaredException, isHealthFailure } from "./failure-classification.js";
import type { GovernedCall } from "./governed-call.js";
import { untilAborted } from "./until-aborted.js";

/** What is fixed for every attempt of every call of one invoker. */
export interface AttemptSettings {
  readonly attemptTimeoutMs: number | undefined;
  readonly healthCodes: ReadonlySet<Code>;
  /** Clock for latency and breaker windows; undefined means Date.now (whose readings the call shares). */
  readonly now: (() => number) | undefined;
}

/**
 * Sends one attempt of `call` to `endpoint` and books its outcome: breaker
 * permit, in-flight count, latency and counters. Rejects with a declared
 * exception or an RpcError.
 *
 * The attempt is limited by the time left before the call's deadline (or
 * `attemptTimeoutMs` if smaller) and by the caller's signal, plus `cancel` for a
 * forking loser. A transport that enforces `timeoutMs` and `signal` itself
 * (a Channel) is handed just those: no controller, listener or timer is made
 * here. Any other transport is given a signal that aborts on the deadline and
 * is raced against it, so the call rejects in time even if it ignores both.
 *
 * The endpoint must have been checked with `canAccept()` with no await since.
 * runSequential inlines the first branch (see there); keep the two alike.
 */
export async function runAttempt(
  settings: AttemptSettings,
  call: GovernedCall,
  endpoint: Endpoint,
  cancel: AbortSignal | undefined,
): Promise<unknown> {
  const permit = openAttempt(call, endpoint);
  const wallNow = call.now();
  const started = settings.now === undefined ? wallNow : settings.now();
  if (endpoint.enforcesCallLimits) {
    try {
      const result = await endpoint.transport.invoke(
        call.method,
        call.args,
        attemptOptions(call, cancel ?? call.callerSignal, wallNow, settings),
      );
      attemptSucceeded(settings, endpoint, permit, started);
      return result;
    } catch (thrown) {
      throw attemptFailed(settings, endpoint, permit, started, thrown);
    } finally {
      endpoint.callEnded();
    }
  }
  const attemptLimit = settings.attemptTimeoutMs;
  let timer: NodeJS.Timeout | undefined;
  try {
    // The transport may ignore its deadline: abort and race it on the call's own signal.
    let signal = cancel ?? call.signal;
    if (attemptLimit !== undefined && attemptLimit < call.remainingMs(wallNow)) {
      const attemptController = new AbortController();
      signal = AbortSignal.any([signal, attemptController.signal]);
      timer = abortAfter(attemptController, attemptLimit, endpoint.key);
    }
    const result = await untilAborted(
      endpoint.transport.invoke(call.method, call.args, attemptOptions(call, signal, wallNow, settings)),
      signal,
    );
    attemptSucceeded(settings, endpoint, permit, started);
    return result;
  } catch (thrown) {
    throw attemptFailed(settings, endpoint, permit, started, thrown);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    endpoint.callEnded();
  }
}

/**
 * Books the start of an attempt: takes the breaker permit and counts the call
 * in flight. The caller must end it with attemptSucceeded or attemptFailed,
 * then `endpoint.callEnded()`.
 */
export function openAttempt(call: GovernedCall, endpoint: Endpoint): BreakerPermit {
  const permit = endpoint.breaker.acquire();
  if (permit === undefined) {
    throw new RpcError(Code.UNAVAILABLE, `provider ${endpoint.key} stopped taking calls before the attempt`);
  }
  call.recordAttempt(endpoint.key);
  endpoint.inFlight += 1;
  endpoint.calls += 1;
  return permit;
}

/** Books an attempt that was answered: latency and a success for the breaker. */
export function attemptSucceeded(
  settings: AttemptSettings,
  endpoint: Endpoint,
  permit: BreakerPermit,
  started: number,
): void {
  const ended = settings.now === undefined ? Date.now() : settings.now();
  endpoint.observeLatency(ended - started);
  endpoint.breaker.recordSuccess(permit, ended);
}

/** Books a failed attempt against the provider as its kind of error says; returns the error to report. */
export function attemptFailed(
  settings: AttemptSettings,
  endpoint: Endpoint,
  permit: BreakerPermit,
  started: number,
  thrown: unknown,
): unknown {
  const error = isDeclaredException(thrown) ? thrown : RpcError.from(thrown);
  if (error instanceof RpcError && error.code === Code.CANCELLED) {
    endpoint.breaker.recordNeutral(permit);
  } else if (isHealthFailure(error, settings.healthCodes)) {
    endpoint.failures += 1;
    const ended = settings.now === undefined ? Date.now() : settings.now();
    endpoint.observeLatency(ended - started);
    endpoint.breaker.recordFailure(permit, ended);
  } else {
    // The provider answered (a declared exception, a rejected argument...): it is alive.
    if (!isDeclaredException(error)) endpoint.failures += 1;
    endpoint.breaker.recordSuccess(permit);
  }
  return error;
}

/**
 * Aborts `controller` with DEADLINE_EXCEEDED after `limitMs`. A function of its
 * own so that its closure does not make runAttempt's variables live in a
 * context allocated on every attempt.
 */
function abortAfter(controller: AbortController, limitMs: number, address: string): NodeJS.Timeout {
  return setTimeout(
    () =>
      controller.abort(new RpcError(Code.DEADLINE_EXCEEDED, `attempt timeout of ${limitMs} ms exceeded on ${address}`)),
    limitMs,
  );
}

/**
 * The options of an attempt: the caller's, with the attempt's signal, routing
 * key and the time left before the deadline (or `attemptTimeoutMs` if
 * smaller), `wallNow` being Date.now(). The caller's own object is reused when
 * it says exactly that already (a first attempt sent at once, with the
 * caller's timeout). Written out field by field rather than spread: an object
 * spread here cost more than the rest of the governed call. Typed so that a
 * field added to CallOptions must be added here too.
 */
export function attemptOptions(
  call: GovernedCall,
  signal: AbortSignal | undefined,
  wallNow: number,
  settings: AttemptSettings,
): CallOptions {
  const remaining = call.remainingMs(wallNow);
  const limit = settings.attemptTimeoutMs;
  const timeLeft = limit !== undefined && limit < remaining ? limit : remaining;
  // At least 1 ms: a transport may read 0 as "no deadline", and the shared deadline still applies.
  const timeoutMs = Number.isFinite(timeLeft) ? Math.max(1, Math.ceil(timeLeft)) : undefined;
  const options = call.options;
  const routeKey = call.routeKey;
  if (
    options !== undefined &&
    options.timeoutMs === timeoutMs &&
    options.signal === signal &&
    options.routeKey === routeKey
  ) {
    return options;
  }
  const fresh: { [K in keyof Required<CallOptions>]: CallOptions[K] } = {
    timeoutMs,
    signal,
    routeKey,
    metadata: options?.metadata,
  };
  return fresh;
}
