import { EventEmitter } from "node:events";
import type { MethodDescriptor } from "../descriptor.js";
import { Code, RpcError } from "../errors.js";
import { defaultLogger, type Logger } from "../logger.js";
import { bearerToken, mergeMetadata } from "../security/credentials.js";
import { parseAddress } from "../transport/address.js";
import { ConnectionPool, type PooledConnection } from "./connection-pool.js";
import type { ConnectionEvents, PipelinedConnectionSettings } from "./pipelined-connection.js";

/** Options of a channel, whatever its connections speak. */
export interface PooledChannelOptions {
  /** The server, `host:port`. */
  address: string;
  /** Connections kept to the address, opened lazily as calls arrive. Default 1. */
  poolSize?: number;
  /** Default 5000. */
  connectTimeoutMs?: number;
  /** Deadline of calls whose options and method hints set none. Default 30000; 0 means none. */
  defaultTimeoutMs?: number;
  /** Bytes a connection may hold unsent (ours plus the kernel's refusal) before calls fail RESOURCE_EXHAUSTED. Default 16 MiB. */
  maxPendingBytes?: number;
  /** Wait before reconnecting after a failure: doubles from baseMs up to maxMs, with jitter. Default 100 / 10000. */
  reconnect?: { baseMs: number; maxMs: number };
  /** Sent with every call as `authorization: Bearer <token>`. */
  token?: string;
  /** Sent with every call; a call's own CallOptions.metadata wins key by key. */
  metadata?: Record<string, string>;
  logger?: Logger;
}

/** Events: "connected" (address), "disconnected" (address, error?), "goaway" (address; rpcgen only, Thrift has none). */
export interface ChannelEvents {
  connected: [address: string];
  disconnected: [address: string, error: RpcError | undefined];
  goaway: [address: string];
}

/** What a channel needs of its connections. */
export interface ChannelConnection extends PooledConnection {
  /** Graceful: takes no new calls and closes once its pending calls settle. */
  close(): void;
  /** Aborts: its pending calls reject with `error`. */
  destroy(error: RpcError): void;
}

/** The settings of a channel's connections that every protocol has. */
export interface ChannelSocketSettings extends PipelinedConnectionSettings {
  host: string;
  port: number;
}

/**
 * What the rpcgen Channel and the ThriftChannel share: a ConnectionPool to one
 * address and the channel's side of its connections (the pending count,
 * reconnect backoff, "connected"/"goaway"/"disconnected" events), the
 * deadline and metadata of a call, pings, and close (drain) and destroy
 * (abort). A subclass opens the connections and sends calls and pings on
 * them in its protocol.
 */
export abstract class PooledChannel<C extends ChannelConnection> extends EventEmitter<ChannelEvents> {
  readonly address: string;
  /** For the subclass's connections: their settings that do not depend on the protocol. */
  protected readonly socketSettings: ChannelSocketSettings;
  /** For the subclass's connections: they report to the channel through these. */
  protected readonly connectionEvents: ConnectionEvents<C>;
  protected readonly logger: Logger;
  private readonly defaultTimeoutMs: number;
  private readonly pool: ConnectionPool<C>;
  /** The channel's own metadata (credentials), sent with every call; undefined when it has none. */
  private readonly metadata: Record<string, string> | undefined;
  private pending = 0;
  private closing = false;
  private closedPromise: Promise<void> | undefined;

  /**
   * @param protocolPrefix put before "channel" and "connection" in errors and logs: "" for rpcgen, "Thrift " for Thrift.
   */
  protected constructor(
    options: PooledChannelOptions,
    private readonly protocolPrefix: string,
  ) {
    super();
    const { host, port } = parseAddress(options.address);
    this.address = options.address;
    this.socketSettings = {
      host,
      port,
      address: options.address,
      connectTimeoutMs: options.connectTimeoutMs ?? 5000,
      maxPendingBytes: options.maxPendingBytes ?? 16 * 1024 * 1024,
    };
    this.logger = options.logger ?? defaultLogger();
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? 30_000;
    this.metadata =
      options.token === undefined && options.metadata === undefined
        ? undefined
        : Object.freeze({ ...options.metadata, ...(options.token === undefined ? {} : bearerToken(options.token)) });
    // Connections are opened on the first pick(), once the subclass has its settings.
    this.pool = new ConnectionPool(this.address, options.poolSize ?? 1, options.reconnect ?? { baseMs: 100, maxMs: 10_000 }, () =>
      this.openConnection(),
    );
    this.connectionEvents = {
      connected: (connection) => {
        this.pool.connected(connection);
        this.emit("connected", this.address);
      },
      goaway: () => this.emit("goaway", this.address),
      closed: (connection, error) => this.onConnectionClosed(connection, error),
      pendingChanged: (delta) => {
        this.pending += delta;
      },
    };
  }

  /** Calls (and pings) in flight on this channel: the load measure for least-pending balancing. */
  get pendingCalls(): number {
    return this.pending;
  }

  /**
   * Round trip to the server over a pooled connection (opening one if needed);
   * resolves with the time in milliseconds. Governance uses it to probe a provider.
   */
  ping(options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<number> {
    let connection: C;
    try {
      connection = this.pick();
    } catch (error) {
      return Promise.reject(error);
    }
    const timeoutMs = options?.timeoutMs ?? (this.defaultTimeoutMs || 30_000);
    return this.pingOn(connection, Date.now() + timeoutMs, options?.signal);
  }

  /** Stops taking calls and resolves once every pending call has settled and the connections are closed. */
  close(): Promise<void> {
    this.closing = true;
    this.closedPromise ??= new Promise((resolve) => {
      const finishIfDone = (): void => {
        if (this.pool.open.size > 0) return;
        this.off("disconnected", finishIfDone);
        resolve();
      };
      this.on("disconnected", finishIfDone);
      for (const connection of this.pool.open) connection.close();
      finishIfDone();
    });
    return this.closedPromise;
  }

  /** Closes every connection now; pending calls reject with `error` (CANCELLED by default). */
  destroy(error?: unknown): void {
    this.closing = true;
    const reason =
      error === undefined
        ? new RpcError(Code.CANCELLED, `${this.protocolPrefix}channel to ${this.address} was destroyed`)
        : RpcError.from(error);
    for (const connection of this.pool.open) connection.destroy(reason);
  }

  /** A new connection to the address, reporting to connectionEvents. */
  protected abstract openConnection(): C;

  /** Sends a ping on `connection`; resolves with the round trip in ms. */
  protected abstract pingOn(connection: C, deadlineAt: number, signal: AbortSignal | undefined): Promise<number>;

  /**
   * The deadline of a call (epoch ms, 0 for none) from its own timeout, else
   * the method's hint, else the channel's default; `now` is Date.now(). Throws
   * RpcError CANCELLED when `signal` has aborted and INVALID_ARGUMENT for a
   * timeout that is not a number >= 0.
   */
  protected deadlineOf(
    method: MethodDescriptor,
    requestedTimeoutMs: number | undefined,
    signal: AbortSignal | undefined,
    now: number,
  ): number {
    if (signal?.aborted) {
      throw new RpcError(Code.CANCELLED, `${method.fullName} was cancelled`, { cause: signal.reason });
    }
    const timeoutMs = requestedTimeoutMs ?? method.hints.timeoutMs ?? this.defaultTimeoutMs;
    if (!(timeoutMs >= 0)) {
      throw new RpcError(
        Code.INVALID_ARGUMENT,
        `${method.fullName}: timeoutMs must be a number >= 0 (0 or Infinity for none), got ${timeoutMs}`,
      );
    }
    // 0 and Infinity both mean "no deadline".
    return timeoutMs > 0 && timeoutMs !== Infinity ? now + timeoutMs : 0;
  }

  /** The metadata a call sends: the channel's own with the call's over it, key by key. */
  protected metadataFor(callMetadata: Record<string, string> | undefined): Record<string, string> | undefined {
    const own = this.metadata;
    return own === undefined ? callMetadata : callMetadata === undefined ? own : mergeMetadata(own, callMetadata);
  }

  /** The pooled connection for the next call; throws RpcError UNAVAILABLE when closing or while every slot backs off. */
  protected pick(): C {
    if (this.closing) throw new RpcError(Code.UNAVAILABLE, `${this.protocolPrefix}channel to ${this.address} is closed`);
    return this.pool.pick();
  }

  private onConnectionClosed(connection: C, error: RpcError | undefined): void {
    this.pool.closed(connection, this.closing ? undefined : error);
    if (error !== undefined && !this.closing) {
      this.logger.debug({ address: this.address, err: error }, `${this.protocolPrefix}connection closed with an error`);
    }
    this.emit("disconnected", this.address, error);
  }
}
