import type { DeadlineEntry } from "../deadline/deadline-wheel.js";
import { sharedDeadlineWheel, type ExpiringEntry } from "../deadline/shared-deadline-wheel.js";
import { Code, RpcError } from "../errors.js";

/**
 * The life of one governed call across all its attempts: one absolute deadline
 * shared by every attempt, backoff and queueing, and the caller's signal.
 *
 * Most calls never need a signal of their own: a transport that enforces
 * `timeoutMs` and `signal` itself (a Channel, on the shared deadline wheel) is
 * simply given the time left and the caller's signal. Only the paths that must
 * cancel work themselves (a queued bulkhead slot, a backoff, a transport that
 * ignores deadlines, forking) ask for `signal`, which is created on first use:
 * then the scope joins the shared deadline wheel and listens to the caller's
 * signal, and aborts with the RpcError to report.
 */
export class CallScope implements ExpiringEntry {
  readonly deadlineAt: number;
  wheelBucket: DeadlineEntry[] | undefined = undefined;
  wheelSlot = 0;
  private controller: AbortController | undefined = undefined;
  /** Date.now() when the call began, until it is handed out by `now()` or goes stale. */
  private startReading: number | undefined;

  constructor(
    private readonly target: string,
    private readonly timeoutMs: number | undefined,
    /** The caller's `CallOptions.signal`, if any. */
    readonly callerSignal: AbortSignal | undefined,
  ) {
    const now = Date.now();
    this.startReading = now;
    this.deadlineAt = timeoutMs === undefined ? Infinity : now + timeoutMs;
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

  /** The caller's signal aborted (EventListener protocol: the scope is its own listener, no closure). */
  handleEvent(): void {
    this.onCallerAbort();
  }

  expire(): void {
    this.abort(
      new RpcError(Code.DEADLINE_EXCEEDED, `deadline of ${this.timeoutMs} ms exceeded calling ${this.target}`),
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
      new RpcError(Code.CANCELLED, `call to ${this.target} cancelled by the caller`, {
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

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
export function abortableDelay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
