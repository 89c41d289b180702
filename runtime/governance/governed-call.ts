import type { CallOptions } from "../call.js";
import type { ArrivalClock, CallObserver } from "../client/call-observer.js";
import type { DeadlineEntry } from "../deadline/deadline-wheel.js";
import { sharedDeadlineWheel, type ExpiringEntry } from "../deadline/shared-deadline-wheel.js";
import type { MethodDescriptor } from "../descriptor.js";
import { Code, RpcError } from "../errors.js";
import { attemptAnswered, attemptFailedWith, type AttemptOwner, type AttemptRecord, type AttemptSettings } from "./attempt.js";
import type { BreakerPermit } from "./circuit-breaker.js";
import type { Endpoint } from "./endpoint.js";
import type { MethodPolicy } from "./method-policy.js";
import { routeKeyOf } from "./route-key.js";

/**
 * One governed call: what is fixed for every attempt, and its life across all
 * of them: one absolute deadline shared by every attempt, backoff and
 * queueing, and the caller's signal. The policies, the balancer and the
 * attempts read it instead of capturing it in per-call closures.
 *
 * Most calls never need a signal of their own: a transport that enforces
 * `timeoutMs` and `signal` itself (a Channel, on the shared deadline wheel) is
 * simply given the time left and the caller's signal. Only the paths that must
 * cancel work themselves (a queued bulkhead slot, a backoff, a transport that
 * ignores deadlines, forking) ask for `signal`, which is created on first use:
 * then the call joins the shared deadline wheel and listens to the caller's
 * signal (see CallController), and aborts with the RpcError to report.
 *
 * The call is also the record (and the transport's observer) of its attempt
 * in flight, so that the usual call, answered at its first attempt, makes no
 * object per attempt; see startAttempt.
 *
 * One flat class whose constructor assigns every field: it is built on every
 * call, and a subclass or field initializers made that cost as much again.
 */
export class GovernedCall implements AttemptRecord, CallObserver {
  readonly deadlineAt: number;
  /** The call's own signal's controller, once `signal` was asked for. */
  private controller: CallController | undefined;
  /** The addresses tried: none, the one (most calls make one attempt), or all of them in order. */
  private tried: string | string[] | undefined;
  /** The routing key once worked out, else KEY_UNKNOWN. */
  private key: string | undefined | typeof KEY_UNKNOWN;
  /** Date.now() when the call began, until it is handed out by `now()` or goes stale. */
  private startReading: number | undefined;
  attemptEndpoint: Endpoint | undefined;
  attemptPermit: BreakerPermit;
  attemptStarted: number | undefined;
  attemptOwner: AttemptOwner | undefined;

  constructor(
    readonly method: MethodDescriptor,
    readonly args: readonly unknown[],
    readonly options: CallOptions | undefined,
    readonly policy: MethodPolicy,
    readonly settings: AttemptSettings,
  ) {
    const now = Date.now();
    const timeoutMs = options?.timeoutMs ?? policy.timeoutMs;
    this.deadlineAt = timeoutMs === undefined ? Infinity : now + timeoutMs;
    this.startReading = now;
    this.controller = undefined;
    this.tried = undefined;
    this.key = KEY_UNKNOWN;
    this.attemptEndpoint = undefined;
    this.attemptPermit = NO_PERMIT;
    this.attemptStarted = undefined;
    this.attemptOwner = undefined;
  }

  /** The outcome of the attempt this call records (CallObserver). */
  answered(clock: ArrivalClock): void {
    attemptAnswered(this, this, clock);
  }

  failed(thrown: unknown, resolve: (value: unknown) => void, reject: (reason: unknown) => void): void {
    attemptFailedWith(this, this, thrown, resolve, reject);
  }

  /**
   * The routing key (see routeKeyOf), worked out on first use: inside the
   * policy, so that a key that cannot be built fails the call like any error.
   */
  get routeKey(): string | undefined {
    let key = this.key;
    if (key === KEY_UNKNOWN) key = this.key = routeKeyOf(this.method, this.args, this.options);
    return key;
  }

  /** Addresses tried so far, in order (for fallbacks and logs). */
  get attempts(): readonly string[] {
    const tried = this.tried;
    return tried === undefined ? [] : typeof tried === "string" ? [tried] : [...tried];
  }

  /** Notes that an attempt was sent to `address`. */
  recordAttempt(address: string): void {
    const tried = this.tried;
    if (tried === undefined) this.tried = address;
    else if (typeof tried === "string") this.tried = [tried, address];
    else tried.push(address);
  }

  /**
   * Date.now(). The first time, and only if the call has not waited since it
   * began (see `waited`), this is the reading taken when it began: the first
   * attempt usually starts in the same synchronous run, and a clock read costs
   * as much as the rest of an attempt's bookkeeping.
   */
  now(): number {
    const reading = this.startReading;
    if (reading === undefined) return Date.now();
    this.startReading = undefined;
    return reading;
  }

  /** The call has awaited something (discovery, a bulkhead slot): its start reading is stale. */
  waited(): void {
    this.startReading = undefined;
  }

  /** The caller's `CallOptions.signal`, if any. */
  get callerSignal(): AbortSignal | undefined {
    return this.options?.signal;
  }

  /** Milliseconds left before the deadline (Infinity without one, never negative). */
  remainingMs(now: number = Date.now()): number {
    return Math.max(0, this.deadlineAt - now);
  }

  /** True once the deadline has passed or the caller cancelled: no new attempt may start. */
  get ended(): boolean {
    return (
      this.controller?.signal.aborted === true || this.callerSignal?.aborted === true || Date.now() >= this.deadlineAt
    );
  }

  /** True when the call was cancelled by its caller (not timed out first). */
  get cancelledByCaller(): boolean {
    const own = this.controller?.signal;
    if (own?.aborted === true) return (own.reason as RpcError).code === Code.CANCELLED;
    return this.callerSignal?.aborted === true;
  }

  /**
   * Aborted on deadline or cancellation; `reason` is an RpcError. Created on
   * first use, already aborted if the call has ended by then.
   */
  get signal(): AbortSignal {
    if (this.controller !== undefined) return this.controller.signal;
    const controller = new CallController(this);
    this.controller = controller;
    const callerSignal = this.callerSignal;
    if (callerSignal?.aborted === true) {
      this.onCallerAbort();
    } else if (controller.deadlineAt <= Date.now()) {
      this.expire();
    } else {
      callerSignal?.addEventListener("abort", controller, { once: true });
      if (controller.deadlineAt !== Infinity) sharedDeadlineWheel.add(controller);
    }
    return controller.signal;
  }

  /** The deadline passed: the call's signal aborts with DEADLINE_EXCEEDED. */
  expire(): void {
    this.abort(
      new RpcError(
        Code.DEADLINE_EXCEEDED,
        `deadline of ${this.options?.timeoutMs ?? this.policy.timeoutMs} ms exceeded calling ${this.method.fullName}`,
      ),
    );
  }

  /** Releases the wheel entry and the caller-signal listener, if the signal was ever created. */
  dispose(): void {
    const controller = this.controller;
    if (controller === undefined) return;
    sharedDeadlineWheel.remove(controller);
    this.callerSignal?.removeEventListener("abort", controller);
  }

  /** The caller's signal aborted: the call's signal aborts with CANCELLED. */
  onCallerAbort(): void {
    this.abort(
      new RpcError(Code.CANCELLED, `call to ${this.method.fullName} cancelled by the caller`, {
        cause: this.callerSignal?.reason,
      }),
    );
  }

  private abort(reason: RpcError): void {
    const controller = this.controller;
    if (controller === undefined || controller.signal.aborted) return;
    sharedDeadlineWheel.remove(controller);
    controller.abort(reason);
  }
}

/**
 * The controller of a call's own signal, made only for the calls that ask for
 * one (see GovernedCall.signal), so that the others carry none of its state.
 * It is also the call's deadline-wheel entry and the listener of the caller's
 * signal (EventListener protocol), with no closure.
 */
class CallController extends AbortController implements ExpiringEntry {
  readonly deadlineAt: number;
  wheelBucket: DeadlineEntry[] | undefined = undefined;
  wheelSlot = 0;

  constructor(private readonly call: GovernedCall) {
    super();
    this.deadlineAt = call.deadlineAt;
  }

  expire(): void {
    this.call.expire();
  }

  handleEvent(): void {
    this.call.onCallerAbort();
  }
}

/** The `key` of a call whose routing key is not worked out yet. */
const KEY_UNKNOWN: unique symbol = Symbol("routing key not worked out");

/** The permit field's value while no attempt is in flight. */
const NO_PERMIT: BreakerPermit = Object.freeze({ trial: false });
