import type { ReplyBacklog } from "./reply-backlog.js";
import type { ServerLimits } from "./server-options.js";

/**
 * Whether one connection has room to start one more call, the same rule for
 * every TCP protocol connection (rpcgen frames, RESP, Thrift):
 * - fewer than maxInFlightPerConnection calls in flight;
 * - fewer than maxStartsPerTurn calls started since the last chunk arrived, so
 *   the replies of the first ones are counted before more start (the rest are
 *   retried on the next turn of the event loop);
 * - unsent reply bytes, plus what the running calls are expected to add,
 *   under maxPendingBytes;
 * - the server not short of memory for replies while this connection's own
 *   are stuck (ReplyBacklog).
 * A connection without room holds its calls back and stops reading, so TCP
 * pushes back on the client; how it holds them is the protocol's business.
 */
export class CallAdmission {
  /** Running average of reply sizes: what a running call is expected to add to the unsent bytes. */
  private replyEstimate = 0;
  private startsThisTurn = 0;
  private retryScheduled = false;
  private readonly retryOnNextTurn = (): void => {
    this.retryScheduled = false;
    this.startsThisTurn = 0;
    this.retry();
  };

  /**
   * @param retry starts the calls held back, if any; called on the next turn
   *   after maxStartsPerTurn was reached (the connection may hold none by then).
   */
  constructor(
    private readonly limits: ServerLimits,
    private readonly replies: ReplyBacklog,
    private readonly retry: () => void,
  ) {}

  /** A chunk arrived: a new count of calls started from it. */
  newTurn(): void {
    this.startsThisTurn = 0;
  }

  /** A call was let in. */
  started(): void {
    this.startsThisTurn++;
  }

  /** A reply of `bytes` was queued: it moves the estimate of what a running call adds. */
  replyQueued(bytes: number): void {
    this.replyEstimate += (bytes - this.replyEstimate) / 8;
  }

  /**
   * @param inFlight the calls counted against maxInFlightPerConnection
   * @param running the calls whose replies are still to be written
   * @param unsentBytes replies queued or in the socket, not yet taken by the kernel
   */
  hasRoom(inFlight: number, running: number, unsentBytes: number): boolean {
    const limits = this.limits;
    if (inFlight >= limits.maxInFlightPerConnection) return false;
    if (this.startsThisTurn >= limits.maxStartsPerTurn) {
      this.scheduleRetry();
      return false;
    }
    if (unsentBytes + running * this.replyEstimate >= limits.maxPendingBytes) return false;
    return !this.replies.stuck;
  }

  private scheduleRetry(): void {
    if (this.retryScheduled) return;
    this.retryScheduled = true;
    setImmediate(this.retryOnNextTurn);
  }
}
