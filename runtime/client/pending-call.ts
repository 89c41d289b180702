import type { MessageCodec } from "../codec/codec.js";
import type { ExpiringEntry } from "../deadline/shared-deadline-wheel.js";
import type { MethodDescriptor } from "../descriptor.js";
import type { DeadlineEntry } from "../deadline/deadline-wheel.js";

/** The side of a client connection a pending call reports back to. */
export interface PendingCallOwner {
  expireCall(call: PendingCall): void;
  cancelCall(call: PendingCall): void;
}

/**
 * One call waiting for its reply. A plain object rather than closures: it is the
 * deadline-wheel entry and the AbortSignal listener (via `handleEvent`) at once, so
 * a call costs one allocation besides its promise.
 */
export class PendingCall implements ExpiringEntry {
  deadlineAt = 0;
  wheelBucket: DeadlineEntry[] | undefined = undefined;
  wheelSlot = 0;
  /** For pings: when the ping was queued, to report the round trip. */
  startedAt = 0;

  constructor(
    readonly id: number,
    /** Undefined for a ping. */
    readonly method: MethodDescriptor | undefined,
    readonly codec: MessageCodec,
    readonly signal: AbortSignal | undefined,
    readonly resolve: (value: unknown) => void,
    readonly reject: (reason: unknown) => void,
    readonly owner: PendingCallOwner,
  ) {}

  expire(): void {
    this.owner.expireCall(this);
  }

  /** AbortSignal listener. */
  handleEvent(): void {
    this.owner.cancelCall(this);
  }
}
