import type { DeadlineEntry } from "../deadline/deadline-wheel.js";
import type { ExpiringEntry } from "../deadline/shared-deadline-wheel.js";
import type { MethodDescriptor } from "../descriptor.js";

/** The side of a client connection a waiting call reports back to. */
export interface WaitingCallOwner<Call> {
  expireCall(call: Call): void;
  cancelCall(call: Call): void;
}

/** Stands in for resolve/reject until promise() sets them, so every call has one shape. */
const notStarted = (): void => {
  throw new Error("a call was settled before promise() was called");
};

/** The call whose promise is being created; read by the shared executor. */
let settling: WaitingCall<unknown> | undefined;

/** The executor of every call's promise: hands the settlers to the call, with no closure per call. */
function takeSettlers(resolve: (value: unknown) => void, reject: (reason: unknown) => void): void {
  settling!.resolve = resolve;
  settling!.reject = reject;
}

/**
 * One call waiting for its reply on a client connection (rpcgen frames:
 * PendingCall; Apache Thrift: ThriftPendingCall). A plain object rather than
 * closures: it is the deadline-wheel entry and the AbortSignal listener (via
 * `handleEvent`) at once, and its promise is created by a shared executor, so a
 * call costs one allocation besides its promise and the promise's settlers.
 * `Self` is the subclass, which its owner is told about.
 */
export abstract class WaitingCall<Self> implements ExpiringEntry {
  deadlineAt = 0;
  wheelBucket: DeadlineEntry[] | undefined = undefined;
  wheelSlot = 0;
  /** For pings: when the ping was queued, to report the round trip. */
  startedAt = 0;
  /** The connection's count of flushed batches when this call was queued (see PipelinedConnection.wasSent). */
  queuedBeforeFlush = 0;
  /** Settle the call's promise; set by promise(). */
  resolve: (value: unknown) => void = notStarted;
  reject: (reason: unknown) => void = notStarted;

  constructor(
    /** The request id (rpcgen) or seqid (Thrift) its reply carries. */
    readonly id: number,
    /** Undefined for a ping. */
    readonly method: MethodDescriptor | undefined,
    readonly signal: AbortSignal | undefined,
    readonly owner: WaitingCallOwner<Self>,
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

  /**
   * Ends the call with an error. The connection fails calls only through this
   * (deadline, cancel, lost connection), so a subclass that must hear of every
   * failure first (PendingCall's observer) overrides it.
   */
  fail(error: unknown): void {
    this.reject(error);
  }

  /** Deadline-wheel callback. */
  expire(): void {
    this.owner.expireCall(this as unknown as Self);
  }

  /** AbortSignal listener. */
  handleEvent(): void {
    this.owner.cancelCall(this as unknown as Self);
  }
}
