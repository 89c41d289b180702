/**
 * Keeps one live ZooKeeper session for a registry. A connection loss is the
 * library's to repair (it reconnects with the same session, to another server if
 * need be); an expired session cannot be repaired, so it is replaced by a new one.
 * Registrations and watches subscribe to hear about both:
 *
 * - `onSession`: a new session is connected (the first, or one after an expiry):
 *   every ephemeral node of the old one is gone and every watch with it;
 * - `onReconnected`: the same session is connected again after a connection loss:
 *   nodes survived, but a request may have been lost on the way.
 */
import { Code, RpcError } from "../errors.js";
import type { Logger } from "../logger.js";
import { ZooKeeperConnection, type ConnectionEvent, type ConnectionSettings } from "./zookeeper-connection.js";
import type { ZooKeeperLibrary } from "./zookeeper-library.js";

/** What a registration or a watch wants to hear from the session. */
export interface SessionListener {
  onSession(connection: ZooKeeperConnection): void;
  onReconnected(connection: ZooKeeperConnection): void;
}

/** The current ZooKeeper connection of a registry, replaced whenever its session expires. */
export class ZooKeeperSession {
  private connection: ZooKeeperConnection;
  private readonly everConnected = new WeakSet<ZooKeeperConnection>();
  private readonly listeners = new Set<SessionListener>();
  private readonly waiters = new Set<(connection: ZooKeeperConnection) => void>();
  private isClosed = false;

  constructor(
    private readonly library: typeof ZooKeeperLibrary,
    private readonly settings: ConnectionSettings,
  ) {
    this.connection = this.open();
  }

  /** The connection of the current session (it may be disconnected right now). */
  get current(): ZooKeeperConnection {
    return this.connection;
  }

  /** Listens for new sessions and reconnections; returns the function that stops listening. */
  subscribe(listener: SessionListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves with the current connection once it is connected; UNAVAILABLE after `timeoutMs`. */
  whenConnected(timeoutMs: number): Promise<ZooKeeperConnection> {
    if (this.connection.connected) return Promise.resolve(this.connection);
    return new Promise((resolve, reject) => {
      const waiter = (connection: ZooKeeperConnection): void => {
        clearTimeout(timer);
        resolve(connection);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(
          new RpcError(
            Code.UNAVAILABLE,
            `no ZooKeeper server of ${this.settings.servers.join(",")} answered within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Ends the session (its ephemeral nodes go at once when a server answers within `timeoutMs`). */
  async close(timeoutMs: number): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    this.listeners.clear();
    await this.connection.close(timeoutMs);
  }

  private open(): ZooKeeperConnection {
    const connection = new ZooKeeperConnection(this.library, this.settings, (event, from) => this.handle(event, from));
    connection.start();
    return connection;
  }

  private handle(event: ConnectionEvent, connection: ZooKeeperConnection): void {
    if (connection !== this.connection || this.isClosed) return;
    const { logger } = this.settings;
    const fields = { connection: connection.id, sessionId: connection.sessionId };
    if (event === "disconnected") {
      logger.warn(fields, "ZooKeeper connection lost; reconnecting with the same session");
      return;
    }
    if (event === "expired") {
      logger.warn(fields, "ZooKeeper session expired; starting a new session");
      connection.abandon();
      this.connection = this.open();
      return;
    }
    const isNewSession = !this.everConnected.has(connection);
    this.everConnected.add(connection);
    for (const waiter of [...this.waiters]) waiter(connection);
    this.waiters.clear();
    logger.info(
      { ...fields, sessionTimeoutMs: connection.sessionTimeoutMs },
      isNewSession ? "ZooKeeper session started" : "ZooKeeper connection restored with the same session",
    );
    for (const listener of [...this.listeners]) {
      try {
        if (isNewSession) listener.onSession(connection);
        else listener.onReconnected(connection);
      } catch (error) {
        logger.error({ err: error }, "a ZooKeeper session listener threw");
      }
    }
  }
}
