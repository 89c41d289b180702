import type { CallOptions } from "../call.js";
import type { DeadlineEntry } from "../deadline/deadline-wheel.js";
import { sharedDeadlineWheel, type ExpiringEntry } from "../deadline/shared-deadline-wheel.js";
import type { MethodDescriptor } from "../descriptor.js";
import { Code, RpcError } from "../errors.js";
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
 * signal, and aborts with the RpcError to report.
 *
 * One flat class whose constructor assigns every field: it is built on every
 * call, and a subclass or field initializers made that cost as much again.
 */
export class GovernedCall implements ExpiringEntry {
  readonly deadlineAt: number;
  wheelBucket: DeadlineEntry[] | undefined;
  wheelSlot: number;
  /** The caller's `CallOptions.signal`, if any. */
  readonly callerSignal: AbortSignal | undefined;
  private readonly timeoutMs: number | undefined;
  private controller: AbortController | undefined;
  /** Date.now() when the call began, until it is handed out by `now()` or goes stale. */
  private startReading: number | undefined;
  /** The address of the first attempt; the others, if any, in `laterTried` (most calls make one). */
  private firstTried: string | undefined;
  private laterTried: string[] | undefined;
  private key: string | undefined;
  private keyKnown: boolean;

  constructor(
    readonly method: MethodDescriptor,
    readonly args: readonly unknown[],
    readonly options: CallOptions | undefined,
    readonly policy: MethodPolicy,
  ) {
    const now = Date.now();
    const timeoutMs = options?.timeoutMs ?? policy.timeoutMs;
    this.timeoutMs = timeoutMs;
    this.deadlineAt = timeoutMs === undefined ? Infinity : now + timeoutMs;
    this.startReading = now;
    this.callerSignal = options?.signal;
    this.wheelBucket = undefined;
    this.wheelSlot = 0;
    this.controller = undefined;
    this.firstTried = undefined;
    this.laterTried = undefined;
    this.key = undefined;
    this.keyKnown = false;
  }

  /**
   * The routing key (see routeKeyOf), worked out on first use: inside the
   * policy, so that a key that cannot be built fails the call like any error.
   */
  get routeKey(): string | undefined {
    if (!this.keyKnown) {
      this.key = routeKeyOf(this.method, this.args, this.options);
      this.keyKnown = true;
    }
    return this.key;
  }

  /** Addresses tried so far, in order (for fallbacks and logs). */
  get attempts(): readonly string[] {
    if (this.firstTried === undefined) return [];
    return this.laterTried === undefined ? [this.firstTried] : [this.firstTried, ...this.laterTried];
  }

  /** Notes that an attempt was sent to `address`. */
  recordAttempt(address: string): void {
    if (this.firstTried === undefined) this.firstTried = address;
    else (this.laterTried ??= []).push(address);
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
    const controller = new AbortController();
    this.controller = controller;
    if (this.callerSignal?.aborted === true) {
      this.onCallerAbort();
    } else if (this.deadlineAt <= Date.now()) {
      this.expire();
    } else {
      this.callerSignal?.addEventListener("abort", this, { once: true });
      if (this.deadlineAt !== Infinity) sharedDeadlineWheel.add(this);
    }
    return controller.signal;
  }

  /** The caller's signal aborted (EventListener protocol: the call is its own listener, no closure). */
  handleEvent(): void {
    this.onCallerAbort();
  }

  expire(): void {
    this.abort(
      new RpcError(Code.DEADLINE_EXCEEDED, `deadline of ${this.timeoutMs} ms exceeded calling ${this.method.fullName}`),
    );
  }

  /** Releases the wheel entry and the caller-signal listener, if the signal was ever created. */
  dispose(): void {
    if (this.controller === undefined) return;
    sharedDeadlineWheel.remove(this);
    this.callerSignal?.removeEventListener("abort", this);
  }

  private onCallerAbort(): void {
    this.abort(
      new RpcError(Code.CANCELLED, `call to ${this.method.fullName} cancelled by the caller`, {
        cause: this.callerSignal?.reason,
      }),
    );
  }

  private abort(reason: RpcError): void {
    const controller = this.controller;
    if (controller === undefined || controller.signal.aborted) return;
    sharedDeadlineWheel.remove(this);
    controller.abort(reason);
  }
}
