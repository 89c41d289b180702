import type { MessageCodec } from "../codec/codec.js";
import type { ArrivalClock, CallObserver } from "./call-observer.js";
import type { MethodDescriptor } from "../descriptor.js";
import { WaitingCall, type WaitingCallOwner } from "./waiting-call.js";

/** The side of a client connection a pending call reports back to; also the clock of its answers. */
export interface PendingCallOwner extends ArrivalClock, WaitingCallOwner<PendingCall> {}

/**
 * One rpcgen call waiting for the reply with its request id. It is settled only
 * through `succeed` and `fail`, which tell its observer first.
 */
export class PendingCall extends WaitingCall<PendingCall> {
  /** Also the clock its answer is read by (ArrivalClock). */
  declare readonly owner: PendingCallOwner;

  constructor(
    id: number,
    /** Undefined for a ping. */
    method: MethodDescriptor | undefined,
    readonly codec: MessageCodec,
    signal: AbortSignal | undefined,
    owner: PendingCallOwner,
    /** Told of the outcome before the promise settles; undefined for a plain call. */
    private readonly observer: CallObserver | undefined,
  ) {
    super(id, method, signal, owner);
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
  override fail(error: unknown): void {
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
}
