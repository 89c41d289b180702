import type { Socket } from "node:net";
import type { Logger } from "../logger.js";
import type { ServedConnection } from "./served-connection.js";
import type { ServerLimits } from "./server-options.js";

/** Time a connection sent goaway for being idle has to close by itself before it is cut. */
const idleGoawayGraceMs = 5000;

const trackedKey = Symbol("tracked connection");

/** A socket and the connection it is tracked as (one property on it, as in socket-owner.ts). */
type TrackedSocket = Socket & { [trackedKey]?: ServedConnection };

/**
 * Every open connection of a server, of every protocol (and those whose protocol
 * is not known yet): the connection limit, shedding, the handshake and idle
 * sweeps, and graceful drain all work from this one set, so no protocol can
 * escape them.
 */
export class ConnectionTracker {
  private readonly open = new Set<ServedConnection>();
  /** When each connection closed for idleness was sent goaway. */
  private readonly idleGoawayAt = new Map<ServedConnection, number>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly limits: ServerLimits,
    private readonly logger: Logger,
  ) {}

  get size(): number {
    return this.open.size;
  }

  [Symbol.iterator](): IterableIterator<ServedConnection> {
    return this.open.values();
  }

  /**
   * Tracks `socket` as `connection`: first the placeholder of a socket whose
   * protocol is not known yet, then (called again once it is) the protocol's
   * connection, which takes the placeholder's place. The connection is kept on
   * the socket, not in a map or a closure, so that the server's one close
   * listener for every socket finds it there (see untrack).
   */
  track(socket: Socket, connection: ServedConnection): void {
    const tracked = socket as TrackedSocket;
    const placeholder = tracked[trackedKey];
    if (placeholder !== undefined) this.remove(placeholder);
    tracked[trackedKey] = connection;
    this.open.add(connection);
  }

  /** `socket` closed: what it was tracked as (if anything) is not tracked any more. */
  untrack(socket: Socket): ServedConnection | undefined {
    const connection = (socket as TrackedSocket)[trackedKey];
    if (connection !== undefined) this.remove(connection);
    return connection;
  }

  private remove(connection: ServedConnection): void {
    this.open.delete(connection);
    this.idleGoawayAt.delete(connection);
  }

  /**
   * Makes room for one more connection when at the limit, by closing the connection
   * that costs others least: one that has not completed a request yet (oldest
   * first), else the one idle longest. False when every connection has calls
   * running: then the newcomer must be refused.
   */
  makeRoom(): boolean {
    if (this.open.size < this.limits.maxConnections) return true;
    let victim: ServedConnection | undefined;
    let victimRank = Infinity;
    for (const connection of this.open) {
      if (connection.inFlight > 0) continue;
      // Connections without a completed request rank before every idle one.
      const rank = connection.handshakeDone ? connection.lastActivityAt : connection.openedAt - 1e15;
      if (rank < victimRank) {
        victim = connection;
        victimRank = rank;
      }
    }
    if (victim === undefined) return false;
    this.logger.debug({ peer: victim.peer, protocol: victim.protocol }, "connection shed to make room for a new one");
    this.remove(victim);
    victim.destroy();
    return true;
  }

  /** Starts the periodic handshake and idle sweep. */
  startSweeping(): void {
    const idle = this.limits.idleTimeoutMs > 0 ? this.limits.idleTimeoutMs : Infinity;
    const every = Math.max(10, Math.min(this.limits.handshakeTimeoutMs / 4, idle / 4, 1000));
    this.sweeper = setInterval(() => this.sweep(Date.now()), every);
    this.sweeper.unref();
  }

  stopSweeping(): void {
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  /** Closes connections that never completed a request in time, and idle ones. */
  sweep(now: number): void {
    const { handshakeTimeoutMs, idleTimeoutMs } = this.limits;
    for (const connection of this.open) {
      if (!connection.handshakeDone) {
        if (now - connection.openedAt >= handshakeTimeoutMs && connection.inFlight === 0) {
          this.logger.debug({ peer: connection.peer, protocol: connection.protocol }, "closing connection: no complete request in time");
          this.remove(connection);
          connection.destroy();
        }
        continue;
      }
      if (idleTimeoutMs === 0 || connection.inFlight > 0) continue;
      const goawayAt = this.idleGoawayAt.get(connection);
      if (goawayAt !== undefined) {
        // A client that does not close its side after the goaway is cut.
        if (now - goawayAt >= Math.min(idleTimeoutMs, idleGoawayGraceMs)) {
          this.remove(connection);
          connection.destroy();
        }
      } else if (now - connection.lastActivityAt >= idleTimeoutMs) {
        this.logger.debug({ peer: connection.peer, protocol: connection.protocol }, "closing idle connection");
        this.idleGoawayAt.set(connection, now);
        connection.goaway();
      }
    }
  }

  goawayAll(): void {
    for (const connection of this.open) connection.goaway();
  }

  clear(): void {
    this.open.clear();
    this.idleGoawayAt.clear();
  }

  endAll(): void {
    for (const connection of [...this.open]) connection.end();
  }

  destroyAll(): void {
    for (const connection of [...this.open]) connection.destroy();
  }

  /** True when no connection has a call in flight. */
  get drained(): boolean {
    for (const connection of this.open) {
      if (connection.inFlight > 0) return false;
    }
    return true;
  }
}
