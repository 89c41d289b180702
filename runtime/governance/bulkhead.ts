import { Code, RpcError } from "../errors.js";

/** Size of a bulkhead. */
export interface BulkheadOptions {
  /** Calls of the service allowed in flight at once. */
  maxConcurrent: number;
  /** Calls allowed to wait for a slot; beyond that, RESOURCE_EXHAUSTED at once. */
  maxQueue: number;
}

export const DEFAULT_BULKHEAD: BulkheadOptions = { maxConcurrent: 256, maxQueue: 256 };

interface Waiter {
  resolve: () => void;
}

/**
 * Caps the calls one service may have in flight, so a slow service fills its
 * own compartment and not the whole client. Calls past the cap wait in a
 * bounded FIFO queue; when that is full too, they fail at once.
 */
export class Bulkhead {
  private active = 0;
  private readonly queue: Waiter[] = [];
  private rejectedCount = 0;

  constructor(
    private readonly service: string,
    private readonly options: BulkheadOptions,
  ) {}

  /**
   * Waits for a slot. Rejects with RESOURCE_EXHAUSTED when the queue is full, or
   * with `signal`'s reason if the call is cancelled or times out while queued.
   * The returned function gives the slot back; call it exactly once.
   */
  async acquire(signal: AbortSignal): Promise<() => void> {
    if (signal.aborted) throw signal.reason;
    if (!this.tryEnter()) await this.enter({ signal });
    return this.releaser();
  }

  /**
   * Takes a slot at once if one is free, without allocating anything: the common
   * case of a call that does not queue. On true, call `leave()` exactly once.
   */
  tryEnter(): boolean {
    if (this.active >= this.options.maxConcurrent) return false;
    this.active += 1;
    return true;
  }

  /**
   * Queues for a slot when `tryEnter()` failed. Rejects with RESOURCE_EXHAUSTED
   * when the queue is full, or with the signal's reason if the call is cancelled
   * or times out while queued. `source.signal` is only read once the call does
   * queue (a call's scope creates its signal lazily). Once this resolves, call
   * `leave()` exactly once.
   */
  async enter(source: { readonly signal: AbortSignal }): Promise<void> {
    if (this.tryEnter()) return;
    if (this.queue.length >= this.options.maxQueue) {
      this.rejectedCount += 1;
      throw new RpcError(
        Code.RESOURCE_EXHAUSTED,
        `bulkhead of ${this.service} is full: ${this.active} calls in flight (max ${this.options.maxConcurrent}) ` +
          `and ${this.queue.length} waiting (max ${this.options.maxQueue})`,
      );
    }
    const signal = source.signal;
    if (signal.aborted) throw signal.reason;
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: () => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        const index = this.queue.indexOf(waiter);
        if (index >= 0) this.queue.splice(index, 1);
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.queue.push(waiter);
    });
    // The slot was handed over by the leaving call; `active` already counts it.
  }

  /** Gives a slot back: to the first call waiting, else to the pool. */
  leave(): void {
    // Every call leaves, and a queue is rare: the empty check costs less than shift() on an empty array.
    const next = this.queue.length === 0 ? undefined : this.queue.shift();
    if (next !== undefined) next.resolve();
    else this.active -= 1;
  }

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.queue.length;
  }

  get rejected(): number {
    return this.rejectedCount;
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.leave();
    };
  }
}
