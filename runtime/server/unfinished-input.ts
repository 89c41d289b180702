import type { Logger } from "../logger.js";
import type { MemoryBudget } from "./memory-budget.js";
import type { ServedConnection } from "./served-connection.js";

/** An unfinished request at least this large is dropped first when the server's input budget is spent. */
const largeInputBytes = 64 * 1024;

/**
 * The bytes of unfinished requests one connection holds, as its share of the
 * server's input budget. Every TCP protocol connection (rpcgen frames, RESP,
 * Thrift) reports after each chunk it parses; when the server's budget is
 * spent, a connection holding a large unfinished request is the one dropped,
 * since the budget is for requests, not for one client's upload.
 */
export class UnfinishedInput {
  private reported = 0;

  /**
   * @param connection whose peer and protocol the log names (read only then, not copied here)
   * @param connectionName how the log names the connection closed, e.g. "RESP connection"
   */
  constructor(
    private readonly budget: MemoryBudget,
    private readonly logger: Logger,
    private readonly connection: Pick<ServedConnection, "peer" | "protocol">,
    private readonly connectionName: string,
  ) {}

  /**
   * Reports the bytes held now; true (and the reason logged) when the server
   * cannot afford them and the connection must be closed at once.
   * @param waitingForRoom reading is paused while calls wait for room: what is
   *   held then are requests waiting, not one still arriving, so it is kept.
   */
  overBudget(heldBytes: number, waitingForRoom: boolean): boolean {
    if (heldBytes === this.reported) return false;
    const budget = this.budget;
    this.reported = budget.update(this.reported, heldBytes);
    if (!budget.exceeded || heldBytes < largeInputBytes || waitingForRoom) return false;
    this.logger.warn(
      { peer: this.connection.peer, protocol: this.connection.protocol, heldBytes, serverLimit: budget.limit },
      `closing ${this.connectionName}: the server's budget for unfinished requests is spent`,
    );
    return true;
  }

  /** The connection closed: its share goes back to the server. */
  release(): void {
    this.reported = this.budget.update(this.reported, 0);
  }
}
