import type { DeadlineEntry } from "../deadline/deadline-wheel.js";
import { sharedDeadlineWheel, type ExpiringEntry } from "../deadline/shared-deadline-wheel.js";
import { Code, RpcError } from "../errors.js";

/**
 * The life of one governed call across all its attempts: one deadline shared by
 * every attempt, backoff and queueing, and one signal that aborts them all when
 * the deadline passes or the caller cancels. Its reason is the RpcError to report.
 */
export class CallScope implements ExpiringEntry {
  deadlineAt: number;
  wheelBucket: DeadlineEntry[] | undefined = undefined;
  wheelSlot = 0;
  private readonly controller = new AbortController();
  private readonly callerSignal: AbortSignal | undefined;
  private readonly onCallerAbort = (): void => {
    this.abort(
      new RpcError(Code.CANCELLED, `call to ${this.target} cancelled by the caller`, {
        cause: this.callerSignal?.reason,
      }),
    );
  };

  constructor(
    private readonly target: string,
    private readonly timeoutMs: number | undefined,
    callerSignal: AbortSignal | undefined,
  ) {
    this.callerSignal = callerSignal;
    this.deadlineAt = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
    if (callerSignal?.aborted) {
      this.onCallerAbort();
      return;
    }
    callerSignal?.addEventListener("abort", this.onCallerAbort, { once: true });
    if (timeoutMs !== undefined) sharedDeadlineWheel.add(this);
  }

  /** Aborted on deadline or cancellation; `reason` is an RpcError. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Milliseconds left before the deadline (Infinity without one, never negative). */
  remainingMs(): number {
    return Math.max(0, this.deadlineAt - Date.now());
  }

  /** True when the call was cancelled by its caller (not timed out). */
  get cancelledByCaller(): boolean {
    return this.signal.aborted && (this.signal.reason as RpcError).code === Code.CANCELLED;
  }

  expire(): void {
    this.abort(
      new RpcError(Code.DEADLINE_EXCEEDED, `deadline of ${this.timeoutMs} ms exceeded calling ${this.target}`),
    );
  }

  /** Releases the timer entry and the caller-signal listener. */
  dispose(): void {
    sharedDeadlineWheel.remove(this);
    this.callerSignal?.removeEventListener("abort", this.onCallerAbort);
  }

  private abort(reason: RpcError): void {
    if (this.controller.signal.aborted) return;
    sharedDeadlineWheel.remove(this);
    this.controller.abort(reason);
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
