import type { MessageCodec } from "../codec/codec.js";
import type { ArrivalClock, CallObserver } from "./call-observer.js";
import type { ExpiringEntry } from "../deadline/shared-deadline-wheel.js";
import type { MethodDescriptor } from "../descriptor.js";
import type { DeadlineEntry } from "../deadline/deadline-wheel.js";

/** The side of a client connection a pending call reports back to; also the clock of its answers. */
export interface PendingCallOwner extends ArrivalClock {
  expireCall(call: PendingCall): void;
  cancelCall(call: PendingCall): void;
}

/** Stands in for resolve/reject until promise() sets them, so every PendingCall has one shape. */
const notStarted = (): void => {
  throw new Error("PendingCall settled before promise() was called");
};

/** The call whose promise is being created; read by the shared executor. */
let settling: PendingCall | undefined;

/** The executor of every call's promise: hands the settlers to the call, with no closure per call. */
function takeSettlers(resolve: (value: unknown) => void, reject: (reason: unknown) => void): void {
  settling!.resolve = resolve;
  settling!.reject = reject;
}

/**
 * One call waiting for its reply. A plain object rather than closures: it is the
 * deadline-wheel entry and the AbortSignal listener (via `handleEvent`) at once,
 * and its promise is created by a shared executor, so a call costs one allocation
 * besides its promise and the promise's settlers. It is settled only through
 * `succeed` and `fail`, which tell its observer first.
 */
export class PendingCall implements ExpiringEntry {
  deadlineAt = 0;
  wheelBucket: DeadlineEntry[] | undefined = undefined;
  wheelSlot = 0;
  /** For pings: when the ping was queued, to report the round trip. */
  startedAt = 0;
  /** The connection's count of flushed batches when this call was queued (see ClientConnection.wasSent). */
  queuedBeforeFlush = 0;
  /** Settle the call's promise; set by promise(). */
  resolve: (value: unknown) => void = notStarted;
  reject: (reason: unknown) => void = notStarted;

  constructor(
    readonly id: number,
    /** Undefined for a ping. */
    readonly method: MethodDescriptor | undefined,
    readonly codec: MessageCodec,
    readonly signal: AbortSignal | undefined,
    readonly owner: PendingCallOwner,
    /** Told of the outcome before the promise settles; undefined for a plain call. */
    private readonly observer: CallObserver | undefined,
  ) {}

  /** Creates the promise this call settles; call once, before the call is tracked. */
  promise(): Promise<unknown> {
    settling = this;
    try {
      return new Promise(takeSettlers);
    } finally {
      settling = undefined;
    }
  }

  /** Ends the call with its value. */
  succeed(value: unknown): void {
    const observer = this.observer;
    if (observer !== undefined) {
      try {
        observer.answered(this.owner);
      } catch (error) {
        // The caller learns of an observer's failure instead of waiting forever.
        this.reject(error);
        return;
      }
    }
    this.resolve(value);
  }

  /** Ends the call with an error; an observer takes over from here. */
  fail(error: unknown): void {
    const observer = this.observer;
    if (observer === undefined) {
      this.reject(error);
      return;
    }
    try {
      observer.failed(error, this.resolve, this.reject);
    } catch (thrown) {
      this.reject(thrown);
    }
  }

  expire(): void {
    this.owner.expireCall(this);
  }

  /** AbortSignal listener. */
  handleEvent(): void {
    this.owner.cancelCall(this);
  }
}
