import type { ReplyBacklog } from "./reply-backlog.js";
import type { ServerLimits } from "./server-options.js";

/**
 * The connection an admission (and its reply backlog) works for. It is told
 * through a method it implements, not a callback it hands over: a closure per
 * helper would cost every idle connection on the server its bytes.
 */
export interface WaitsForRoom {
  /** Room may have opened (replies left, or a new turn began): start the calls held back, if any. */
  roomMayHaveOpened(): void;
}

/**
 * Whether one connection has room to start one more call, the same rule for
 * every TCP protocol connection (rpcgen frames, RESP, Thrift):
 * - fewer than maxInFlightPerConnection calls in flight;
 * - fewer than maxStartsPerTurn calls started since the last chunk arrived, so
 *   the replies of the first ones are counted before more start (the rest are
 *   retried on the next turn of the event loop);
 * - unsent reply bytes, plus what the running calls are expected to add,
 *   under maxPendingBytes;
 * - and, while the server is short of reply memory, none of this connection's
 *   own replies stuck in its socket (ReplyBacklog.stuck).
 *
 * A connection without room holds the calls back and stops reading, so TCP
 * pushes back on the client; how it holds them is the protocol's business.
 */
export class CallAdmission {
  /** Running average of reply sizes: what a running call is expected to add to the unsent bytes. */
  private replyEstimate = 0;
  private startsThisTurn = 0;
  private retryScheduled = false;

  /**
   * @param connection told on the next turn after maxStartsPerTurn was reached
   *   (it may hold no call by then)
   */
  constructor(
    private readonly limits: ServerLimits,
    private readonly replies: ReplyBacklog,
    private readonly connection: WaitsForRoom,
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
    // The admission rides along as the immediate's argument: no closure kept per connection for a rare retry.
    setImmediate(CallAdmission.retryOnNextTurn, this);
  }

  private static retryOnNextTurn(admission: CallAdmission): void {
    admission.retryScheduled = false;
    admission.startsThisTurn = 0;
    admission.connection.roomMayHaveOpened();
  }
}
