/**
 * One ZooKeeper session: a node-zookeeper-client Client with a promise API.
 *
 * The library reconnects by itself after a connection loss (to the next server of
 * the list, keeping the session and re-setting its watches), fails requests in
 * flight with CONNECTION_LOSS and holds unsent ones until it is connected again.
 * It cannot survive session expiry: then this connection reports "expired" and the
 * ZooKeeperSession replaces it. Two gaps are closed:
 *
 * - liveness: a server that goes silent without closing the connection is left
 *   for another (zookeeper-liveness.ts);
 * - retirement: requests still queued on a replaced or closed client would never
 *   settle; retire() rejects them.
 */
import type { Client, Event, Stat } from "node-zookeeper-client";
import { stopClient } from "./zookeeper-client-internals.js";
import type { ZooKeeperLibrary } from "./zookeeper-library.js";
import { ConnectionLiveness } from "./zookeeper-liveness.js";
import type { Logger } from "../logger.js";

/** What a ZooKeeperConnection reports: connected (first time or again), disconnected, expired. */
export type ConnectionEvent = "connected" | "disconnected" | "expired";

/** A watcher as node-zookeeper-client calls it (once). */
export type NodeWatcher = (event: Event) => void;

/** Settings of one connection. */
export interface ConnectionSettings {
  /** "host:port" of every server. */
  servers: readonly string[];
  sessionTimeoutMs: number;
  /** Longest random wait after every server was tried once. */
  maxReconnectDelayMs: number;
  logger: Logger;
}

/** Thrown by requests of a connection that was retired (replaced after expiry, or closed). */
export class ConnectionRetiredError extends Error {
  override get name(): string {
    return "ConnectionRetiredError";
  }
}

let connectionCount = 0;

/** A ZooKeeper client for one session, with promise-returning requests. */
export class ZooKeeperConnection {
  /** A number for logs, counting connections in this process. */
  readonly id = ++connectionCount;
  private readonly client: Client;
  private readonly rejectors = new Set<(error: Error) => void>();
  private isRetired = false;
  private isConnected = false;
  private readonly liveness: ConnectionLiveness;

  constructor(
    private readonly library: typeof ZooKeeperLibrary,
    private readonly settings: ConnectionSettings,
    private readonly onEvent: (event: ConnectionEvent, connection: ZooKeeperConnection) => void,
  ) {
    this.client = library.createClient(settings.servers.join(","), {
      sessionTimeout: settings.sessionTimeoutMs,
      spinDelay: settings.maxReconnectDelayMs,
      retries: 0,
    });
    this.client.on("connected", () => this.changed("connected"));
    this.client.on("disconnected", () => this.changed("disconnected"));
    this.client.on("expired", () => this.changed("expired"));
    this.liveness = new ConnectionLiveness({
      client: this.client,
      servers: settings.servers,
      sessionTimeoutMs: () => this.sessionTimeoutMs,
      probe: () => this.exists("/"),
      describe: () => ({ connection: this.id, sessionId: this.sessionId }),
      logger: settings.logger,
    });
  }

  /** Starts connecting (to the servers in turn, until one answers). */
  start(): void {
    this.client.connect();
    this.liveness.connecting();
  }

  get connected(): boolean {
    return this.isConnected && !this.isRetired;
  }

  get retired(): boolean {
    return this.isRetired;
  }

  /** The session id as hex, for logs ("0" before the first connection). */
  get sessionId(): string {
    return BigInt(`0x${this.client.getSessionId().toString("hex")}`).toString(16);
  }

  /** The session timeout the server granted (the requested one before connecting). */
  get sessionTimeoutMs(): number {
    return this.client.getSessionTimeout();
  }

  /** True when `stat` belongs to an ephemeral node of this session. */
  ownsNode(stat: Stat): boolean {
    return stat.ephemeralOwner.equals(this.client.getSessionId());
  }

  /** The children of `path`; undefined when `path` does not exist. */
  getChildren(path: string, watcher?: NodeWatcher): Promise<string[] | undefined> {
    return this.request<string[] | undefined>((done) => {
      const callback = (error: unknown, children: string[]): void =>
        this.isNoNode(error) ? done(null, undefined) : done(error, children);
      if (watcher) this.client.getChildren(path, watcher, callback);
      else this.client.getChildren(path, callback);
    });
  }

  /** The data and stat of `path`; undefined when it does not exist. */
  getData(path: string, watcher?: NodeWatcher): Promise<{ data: Buffer | undefined; stat: Stat } | undefined> {
    return this.request((done) => {
      const callback = (error: unknown, data: Buffer, stat: Stat): void =>
        this.isNoNode(error) ? done(null, undefined) : done(error, { data: data ?? undefined, stat });
      if (watcher) this.client.getData(path, watcher, callback);
      else this.client.getData(path, callback);
    });
  }

  /** The stat of `path`, or undefined; the watcher fires on its creation, change or deletion. */
  exists(path: string, watcher?: NodeWatcher): Promise<Stat | undefined> {
    return this.request((done) => {
      const callback = (error: unknown, stat: Stat): void => done(error, stat ?? undefined);
      if (watcher) this.client.exists(path, watcher, callback);
      else this.client.exists(path, callback);
    });
  }

  /** Creates an ephemeral sequential node under `pathPrefix`; resolves with its full path. */
  createEphemeralSequential(pathPrefix: string, data: Buffer): Promise<string> {
    const mode = this.library.CreateMode.EPHEMERAL_SEQUENTIAL;
    return this.request((done) => this.client.create(pathPrefix, data, mode, done));
  }

  /** Creates `path` and its missing parents as persistent, empty nodes. */
  ensurePath(path: string): Promise<void> {
    return this.request((done) => this.client.mkdirp(path, (error) => done(error, undefined)));
  }

  /** Replaces the data of `path`. */
  setData(path: string, data: Buffer): Promise<void> {
    return this.request((done) => this.client.setData(path, data, (error) => done(error, undefined)));
  }

  /** Deletes `path`; resolves false when it did not exist. */
  remove(path: string): Promise<boolean> {
    return this.request((done) =>
      this.client.remove(path, (error) => (this.isNoNode(error) ? done(null, false) : done(error, true))),
    );
  }

  /**
   * Ends the session on the server (its ephemeral nodes go at once) and stops the
   * client; when that cannot be done within `timeoutMs` (no server reachable), the
   * client is stopped anyway and the session expires on the server.
   */
  async close(timeoutMs: number): Promise<void> {
    if (this.isRetired) return;
    const wasConnected = this.connected;
    this.retire();
    if (!wasConnected) {
      stopClient(this.client);
      return;
    }
    const closed = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.client.once("disconnected", () => {
        clearTimeout(timer);
        resolve();
      });
    });
    this.client.close();
    await closed;
    stopClient(this.client);
  }

  /** Stops the client without ending the session, and rejects every request still pending. */
  retire(): void {
    if (this.isRetired) return;
    this.isRetired = true;
    this.isConnected = false;
    this.liveness.stop();
    const error = new ConnectionRetiredError(`ZooKeeper connection ${this.id} was replaced or closed`);
    for (const reject of [...this.rejectors]) reject(error);
    this.rejectors.clear();
  }

  /** Stops the client for good, leaving the session to expire (after expiry, or when abandoning it). */
  abandon(): void {
    this.retire();
    stopClient(this.client);
  }

  /** True for the library's NO_NODE error. */
  private isNoNode(error: unknown): boolean {
    return zooKeeperErrorCode(error) === this.library.Exception.NO_NODE;
  }

  private request<T>(send: (done: (error: unknown, value: T) => void) => void): Promise<T> {
    if (this.isRetired) {
      return Promise.reject(new ConnectionRetiredError(`ZooKeeper connection ${this.id} was replaced or closed`));
    }
    return new Promise<T>((resolve, reject) => {
      this.rejectors.add(reject);
      try {
        send((error, value) => {
          if (!this.rejectors.delete(reject)) return; // already rejected by retire()
          if (error) reject(error);
          else resolve(value);
        });
      } catch (error) {
        // The library asserts its arguments synchronously (a bad path, data too large).
        this.rejectors.delete(reject);
        reject(error);
      }
    });
  }

  private changed(event: ConnectionEvent): void {
    if (this.isRetired) return;
    this.isConnected = event === "connected";
    if (event === "connected") this.liveness.connected();
    else if (event === "disconnected") this.liveness.connecting();
    else this.liveness.stop();
    this.onEvent(event, this);
  }
}

/** The numeric code of a node-zookeeper-client Exception, or undefined for other errors. */
export function zooKeeperErrorCode(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "number" ? code : undefined;
}
