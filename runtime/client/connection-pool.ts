import type { RpcError } from "../errors.js";
import { ConnectionLostError } from "./connection-lost-error.js";
import { ReconnectBackoff } from "./reconnect-backoff.js";

/** What a pool needs of a connection, whatever protocol it speaks. */
export interface PooledConnection {
  /** False while it connects-and-fails, drains after goaway, or is closed. */
  readonly acceptsCalls: boolean;
}

interface PoolSlot<C> {
  connection: C | undefined;
  backoff: ReconnectBackoff;
}

/**
 * The connections of one client channel to one address (rpcgen frames, Apache
 * Thrift): `size` slots used in turn, each opened on demand, and a slot whose
 * connection failed reopened only after a capped, jittered backoff.
 */
export class ConnectionPool<C extends PooledConnection> {
  /** Every connection the pool has opened and not yet seen close. */
  readonly open = new Set<C>();
  private readonly slots: PoolSlot<C>[];
  private nextSlot = 0;

  constructor(
    private readonly address: string,
    size: number,
    reconnect: { baseMs: number; maxMs: number },
    private readonly connect: () => C,
  ) {
    if (!Number.isInteger(size) || size < 1) throw new TypeError(`poolSize must be a positive integer, got ${size}`);
    this.slots = Array.from({ length: size }, () => ({ connection: undefined, backoff: new ReconnectBackoff(reconnect.baseMs, reconnect.maxMs) }));
  }

  /**
   * The next slot's connection that takes calls, opening one in a slot whose
   * backoff has passed. Throws ConnectionLostError("never-sent") when every slot
   * is waiting out its backoff: nothing was written, so the call may go elsewhere.
   */
  pick(): C {
    const count = this.slots.length;
    let waitMs = Infinity;
    let lastError: RpcError | undefined;
    for (let i = 0; i < count; i++) {
      const slot = this.slots[(this.nextSlot + i) % count]!;
      const existing = slot.connection;
      if (existing !== undefined && existing.acceptsCalls) {
        this.nextSlot = (this.nextSlot + i + 1) % count;
        return existing;
      }
      const wait = slot.backoff.remainingMs();
      if (wait > 0) {
        waitMs = Math.min(waitMs, wait);
        lastError = slot.backoff.lastError;
        continue;
      }
      const connection = this.connect();
      slot.connection = connection;
      this.open.add(connection);
      this.nextSlot = (this.nextSlot + i + 1) % count;
      return connection;
    }
    throw new ConnectionLostError(
      "never-sent",
      this.address,
      `unreachable (next reconnect attempt in ${Math.ceil(waitMs)} ms): ${lastError?.message ?? "connection failed"}`,
      { cause: lastError },
    );
  }

  /** The connection is up: its slot's backoff starts over. */
  connected(connection: C): void {
    this.slotOf(connection)?.backoff.succeeded();
  }

  /** The connection closed; `failure` (unless the channel is closing) makes its slot wait before reopening. */
  closed(connection: C, failure: RpcError | undefined): void {
    this.open.delete(connection);
    const slot = this.slotOf(connection);
    if (slot === undefined) return;
    slot.connection = undefined;
    if (failure !== undefined) slot.backoff.failed(failure);
  }

  private slotOf(connection: C): PoolSlot<C> | undefined {
    return this.slots.find((slot) => slot.connection === connection);
  }
}
