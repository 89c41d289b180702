import type { CallOptions } from "../call.js";
import { wallClock, type ArrivalClock, type CallObserver } from "../client/call-observer.js";
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
 * Who finishes a call whose first attempt nobody awaits (see startAttempt):
 * the policy that runs it.
 */
export interface AttemptOwner {
  /** The call is over: gives back what it holds. */
  release(call: GovernedCall): void;
  /** The rest of the call's policy after its attempt on `endpoint` failed with `error`; settles as the call should. */
  continueAfterFailure(call: GovernedCall, endpoint: Endpoint, error: unknown): Promise<unknown>;
}

/**
 * Sends one attempt of `call` to `endpoint`. The promise settles once the
 * attempt is booked (breaker permit, in-flight count, latency, counters): it
 * resolves with the value, or rejects with a declared exception or an RpcError.
 *
 * With an `owner`, the attempt is the call's first and nobody awaits it: the
 * promise is the call's own. An answer then also ends the call
 * (`owner.release`), and a failure hands the call to the rest of its policy
 * (`owner.continueAfterFailure`), whose outcome settles the promise.
 *
 * The attempt is limited by the time left before the call's deadline (or
 * `attemptTimeoutMs` if smaller) and by the caller's signal, plus `cancel` for a
 * forking loser. A transport that takes an observer (a Channel) is handed
 * just those and tells the attempt of the outcome before settling its own
 * promise, which is returned as it is: no controller, timer, listener, `then`
 * or closure is made here. Any other transport is observed through its
 * promise; one that does not enforce its deadline itself is given a signal
 * that aborts on the deadline and is raced against it, so the call rejects in
 * time even if it ignores both.
 *
 * The endpoint must have been checked with `canAccept()` with no await since.
 */
export function startAttempt(
  call: GovernedCall,
  endpoint: Endpoint,
  cancel: AbortSignal | undefined,
  owner: AttemptOwner | undefined,
): Promise<unknown> {
  const settings = call.settings;
  let permit: BreakerPermit;
  try {
    permit = openAttempt(call, endpoint);
  } catch (error) {
    return owner === undefined ? Promise.reject(error) : owner.continueAfterFailure(call, endpoint, error);
  }
  const wallNow = call.now();
  const started = settings.now === undefined ? wallNow : settings.now();
  // The call's own record serves its attempts one at a time (the usual call makes one): no object per attempt.
  // Only an attempt made while another is in flight (a fork) gets one of its own.
  const attempt: AttemptRecord & CallObserver = call.attemptEndpoint === undefined ? call : new Attempt(call);
  attempt.attemptEndpoint = endpoint;
  attempt.attemptPermit = permit;
  attempt.attemptStarted = started;
  attempt.attemptOwner = owner;
  try {
    if (endpoint.observable) {
      return endpoint.transport.invokeObserved!(
        call.method,
        call.args,
        attemptTimeoutMs(call, wallNow, settings),
        cancel ?? call.callerSignal,
        call.options?.metadata,
        wallNow,
        attempt,
      );
    }
    return sendAndObserve(settings, call, endpoint, cancel, wallNow, attempt);
  } catch (thrown) {
    // Never sent (a closed transport, arguments the codec refuses...): booked and handled like any failure.
    return new Promise((resolve, reject) => attempt.failed(thrown, resolve, reject));
  }
}

/**
 * What is booked when an attempt's outcome is known: set by startAttempt,
 * cleared (`attemptEndpoint` undefined) once booked. A GovernedCall is the
 * record of its attempts one at a time; an Attempt is the record of one made
 * while the call's own is in use.
 */
export interface AttemptRecord {
  /** The provider of the attempt in flight; undefined when none is. */
  attemptEndpoint: Endpoint | undefined;
  attemptPermit: BreakerPermit;
  /**
   * The attempt's start on the settings' clock; undefined while none is in
   * flight. Not a number-only field: V8 would give it a box of its own per
   * object, where this one just keeps the clock's reading.
   */
  attemptStarted: number | undefined;
  attemptOwner: AttemptOwner | undefined;
}

/**
 * The outcome of the attempt `record` of `call` was an answer (a CallObserver
 * hears it before the call's promise settles): books it and, for a call's
 * owned first attempt, ends the call.
 */
export function attemptAnswered(call: GovernedCall, record: AttemptRecord, clock: ArrivalClock): void {
  const endpoint = record.attemptEndpoint!;
  const owner = record.attemptOwner;
  record.attemptEndpoint = undefined;
  record.attemptOwner = undefined;
  try {
    attemptSucceeded(call.settings, endpoint, record.attemptPermit, record.attemptStarted!, clock);
  } finally {
    endpoint.callEnded();
    owner?.release(call);
  }
}

/**
 * The attempt `record` of `call` failed with `thrown`: books it, then settles
 * the call's promise through `resolve` or `reject` (an owned attempt hands the
 * call to the rest of its policy first).
 */
export function attemptFailedWith(
  call: GovernedCall,
  record: AttemptRecord,
  thrown: unknown,
  resolve: (value: unknown) => void,
  reject: (reason: unknown) => void,
): void {
  const endpoint = record.attemptEndpoint!;
  const owner = record.attemptOwner;
  record.attemptEndpoint = undefined;
  record.attemptOwner = undefined;
  let error: unknown;
  try {
    error = attemptFailed(call.settings, endpoint, record.attemptPermit, record.attemptStarted!, thrown);
  } finally {
    endpoint.callEnded();
  }
  if (owner === undefined) {
    reject(error);
    return;
  }
  // The policy goes on (requeue, retry, fallback) in a task of its own, not inside the transport's callback.
  queueMicrotask(() => owner.continueAfterFailure(call, endpoint, error).then(resolve, reject));
}

/** The record of an attempt made while its call's own record is in use (forking). */
class Attempt implements AttemptRecord, CallObserver {
  attemptEndpoint: Endpoint | undefined = undefined;
  attemptPermit: BreakerPermit = undefined!;
  attemptStarted: number | undefined = undefined;
  attemptOwner: AttemptOwner | undefined = undefined;

  constructor(private readonly call: GovernedCall) {}

  answered(clock: ArrivalClock): void {
    attemptAnswered(this.call, this, clock);
  }

  failed(thrown: unknown, resolve: (value: unknown) => void, reject: (reason: unknown) => void): void {
    attemptFailedWith(this.call, this, thrown, resolve, reject);
  }
}

/** An attempt on a transport that takes no observer: observed through its promise. */
function sendAndObserve(
  settings: AttemptSettings,
  call: GovernedCall,
  endpoint: Endpoint,
  cancel: AbortSignal | undefined,
  wallNow: number,
  attempt: CallObserver,
): Promise<unknown> {
  const transport = endpoint.transport;
  if (endpoint.enforcesCallLimits) {
    const options = attemptOptions(call, cancel ?? call.callerSignal, wallNow, settings);
    return settleThrough(transport.invoke(call.method, call.args, options), attempt, undefined);
  }
  // The transport may ignore its deadline: abort and race it on the call's own signal.
  let signal = cancel ?? call.signal;
  let timer: NodeJS.Timeout | undefined;
  const attemptLimit = settings.attemptTimeoutMs;
  if (attemptLimit !== undefined && attemptLimit < call.remainingMs(wallNow)) {
    const attemptController = new AbortController();
    signal = AbortSignal.any([signal, attemptController.signal]);
    timer = abortAfter(attemptController, attemptLimit, endpoint.key);
  }
  try {
    const reply = transport.invoke(call.method, call.args, attemptOptions(call, signal, wallNow, settings));
    return settleThrough(untilAborted(reply, signal), attempt, timer);
  } catch (error) {
    clearTimeout(timer);
    throw error;
  }
}

/** A promise that settles like `reply` once `attempt` has been told of the outcome. */
function settleThrough(reply: Promise<unknown>, attempt: CallObserver, timer: NodeJS.Timeout | undefined): Promise<unknown> {
  return new Promise((resolve, reject) => {
    reply.then(
      (value) => {
        clearTimeout(timer);
        try {
          attempt.answered(wallClock);
        } catch (error) {
          reject(error);
          return;
        }
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        try {
          attempt.failed(error, resolve, reject);
        } catch (thrown) {
          reject(thrown);
        }
      },
    );
  });
}

/**
 * Books the start of an attempt: takes the breaker permit and counts the call
 * in flight. The caller must end it with attemptSucceeded or attemptFailed,
 * then `endpoint.callEnded()`.
 */
function openAttempt(call: GovernedCall, endpoint: Endpoint): BreakerPermit {
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
function attemptSucceeded(
  settings: AttemptSettings,
  endpoint: Endpoint,
  permit: BreakerPermit,
  started: number,
  clock: ArrivalClock,
): void {
  const ended = settings.now === undefined ? clock.arrivedAt() : settings.now();
  endpoint.observeLatency(ended - started);
  endpoint.breaker.recordSuccess(permit, ended);
}

/** Books a failed attempt against the provider as its kind of error says; returns the error to report. */
function attemptFailed(
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
 * own so that its closure does not make the caller's variables live in a
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
 * The timeout of an attempt: the time left before the call's deadline (or
 * `attemptTimeoutMs` if smaller), `wallNow` being Date.now(); undefined when
 * the call has no deadline.
 */
function attemptTimeoutMs(call: GovernedCall, wallNow: number, settings: AttemptSettings): number | undefined {
  const remaining = call.remainingMs(wallNow);
  const limit = settings.attemptTimeoutMs;
  const timeLeft = limit !== undefined && limit < remaining ? limit : remaining;
  // At least 1 ms: a transport may read 0 as "no deadline", and the shared deadline still applies.
  return Number.isFinite(timeLeft) ? Math.max(1, Math.ceil(timeLeft)) : undefined;
}

/**
 * The options of an attempt on a transport that takes no observer: the
 * caller's, with the attempt's signal, routing key and timeout (see
 * attemptTimeoutMs). The caller's own object is reused when it says exactly
 * that already. Written out field by field rather than spread, and typed so
 * that a field added to CallOptions must be added here too.
 */
function attemptOptions(
  call: GovernedCall,
  signal: AbortSignal | undefined,
  wallNow: number,
  settings: AttemptSettings,
): CallOptions {
  const timeoutMs = attemptTimeoutMs(call, wallNow, settings);
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
