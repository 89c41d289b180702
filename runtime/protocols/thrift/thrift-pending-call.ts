import type { DeadlineEntry } from "../../deadline/deadline-wheel.js";
import type { ExpiringEntry } from "../../deadline/shared-deadline-wheel.js";
import type { MethodDescriptor } from "../../descriptor.js";

/** The side of a client connection a pending call reports back to. */
export interface ThriftPendingCallOwner {
  expireCall(call: ThriftPendingCall): void;
  cancelCall(call: ThriftPendingCall): void;
}

const notStarted = (): void => {
  throw new Error("ThriftPendingCall settled before promise() was called");
};

/** The call whose promise is being created; read by the shared executor. */
let settling: ThriftPendingCall | undefined;

function takeSettlers(resolve: (value: unknown) => void, reject: (reason: unknown) => void): void {
  settling!.resolve = resolve;
  settling!.reject = reject;
}

/**
 * A Thrift call waiting for the reply with its seqid. A plain object rather than
 * closures: it is the deadline-wheel entry and the AbortSignal listener (via
 * `handleEvent`) at once, and its promise is made by a shared executor, so a call
 * costs no timer and no callback of its own.
 */
export class ThriftPendingCall implements ExpiringEntry {
  deadlineAt = 0;
  wheelBucket: DeadlineEntry[] | undefined = undefined;
  wheelSlot = 0;
  /** For pings: when the ping was queued, to report the round trip. */
  startedAt = 0;
  /** The connection's count of flushed batches when this call was queued (see ThriftClientConnection.wasSent). */
  queuedBeforeFlush = 0;
  resolve: (value: unknown) => void = notStarted;
  reject: (reason: unknown) => void = notStarted;

  constructor(
    readonly seqid: number,
    /** Undefined for a ping. */
    readonly method: MethodDescriptor | undefined,
    readonly signal: AbortSignal | undefined,
    readonly owner: ThriftPendingCallOwner,
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

  expire(): void {
    this.owner.expireCall(this);
  }

  /** AbortSignal listener. */
  handleEvent(): void {
    this.owner.cancelCall(this);
  }
}
