import type { Socket } from "node:net";
import type { WaitsForRoom } from "./call-admission.js";
import type { MemoryBudget } from "./memory-budget.js";

/** Above this many unsent bytes the socket will say "drain" once the kernel takes them. */
const socketHighWaterBytes = 16 * 1024;

/**
 * The replies one connection wrote that its client has not read yet, as its
 * share of the server's reply budget. The share is looked at after each batch
 * reaches the socket (`flushed`, called by the write batch after each flush),
 * since only then does `socket.writableLength` say what the kernel refused; a
 * backlog above the socket's high-water mark is waited out on "drain".
 *
 * Every TCP protocol connection (rpcgen frames, RESP, Thrift) keeps one: the
 * accounting is the same whatever the replies' encoding.
 */
export class ReplyBacklog {
  private reported = 0;
  private waitingForDrain = false;

  /**
   * @param connection told when replies left (a flush the kernel took whole, or
   *   a drain): it starts the calls it holds back, if any.
   */
  constructor(
    private readonly socket: Socket,
    private readonly budget: MemoryBudget,
    private readonly connection: WaitsForRoom,
  ) {}

  /** A batch was handed to the socket: accounts for what the kernel did not take, waits for it to drain. */
  flushed(): void {
    const unsent = this.socket.writableLength;
    if (unsent <= socketHighWaterBytes) {
      if (this.reported !== 0) this.reported = this.budget.update(this.reported, 0);
      this.connection.roomMayHaveOpened();
      return;
    }
    this.reported = this.budget.update(this.reported, unsent);
    if (this.waitingForDrain) return;
    // The last write returned false, so "drain" is sure to follow. The listener is made
    // only now: a backlog is rare, and an idle connection keeps no closure for it.
    this.waitingForDrain = true;
    this.socket.once("drain", () => this.drained());
  }

  /**
   * True when the server is short of memory for replies and this connection's
   * own are stuck in its socket: it should start no call until they leave.
   */
  get stuck(): boolean {
    return this.reported !== 0 && this.budget.exceeded;
  }

  /** The connection closed: its share goes back to the server. */
  release(): void {
    this.reported = this.budget.update(this.reported, 0);
  }

  private drained(): void {
    this.waitingForDrain = false;
    this.reported = this.budget.update(this.reported, this.socket.writableLength);
    this.connection.roomMayHaveOpened();
  }
}
