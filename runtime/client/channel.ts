import { EventEmitter } from "node:events";
import type { CallOptions, Invoker } from "../call.js";
import type { MessageCodec } from "../codec/codec.js";
import { codecByName } from "../codec/codec-registry.js";
import type { MethodDescriptor } from "../descriptor.js";
import { Code, RpcError } from "../errors.js";
import { defaultLogger, type Logger } from "../logger.js";
import { resolveClientTls, type ClientTlsOptions } from "../security/client-tls.js";
import { bearerToken, mergeMetadata } from "../security/credentials.js";
import { parseAddress } from "../transport/address.js";
import { defaultFrameLimits } from "../wire/frame-limits.js";
import type { CallObserver } from "./call-observer.js";
import { ClientConnection, type ClientConnectionEvents, type ClientConnectionSettings } from "./client-connection.js";
import { ConnectionPool } from "./connection-pool.js";

/** Options of a Channel. */
export interface ChannelOptions {
  /** The provider, `host:port`. */
  address: string;
  /** Body codec for every call of this channel. Default "binary". */
  codec?: "binary" | "json";
  /** Connections kept to the address, opened lazily as calls arrive. Default 1. */
  poolSize?: number;
  /** Default 5000. */
  connectTimeoutMs?: number;
  /** Deadline of calls whose options and method hints set none. Default 30000; 0 means none. */
  defaultTimeoutMs?: number;
  /** Idle connections are pinged at this interval; a peer silent for two intervals is dropped. Default 10000; 0 disables. */
  heartbeatIntervalMs?: number;
  /** Bytes a connection may hold unsent (ours plus the kernel's refusal) before calls fail RESOURCE_EXHAUSTED. Default 16 MiB. */
  maxPendingBytes?: number;
  /** Default 4 MiB, as the server's. */
  maxFrameBytes?: number;
  /** Default 2 MiB. */
  compressThresholdBytes?: number;
  /** Wait before reconnecting after a failure: doubles from baseMs up to maxMs, with jitter. Default 100 / 10000. */
  reconnect?: { baseMs: number; maxMs: number };
  /** TLS to the provider (`true`: the system's trusted CAs); see docs/SECURITY.md. Default: plain TCP. */
  tls?: ClientTlsOptions | true;
  /** Sent with every call as `authorization: Bearer <token>`. */
  token?: string;
  /** Sent with every call; a call's own CallOptions.metadata wins key by key. */
  metadata?: Record<string, string>;
  logger?: Logger;
}

/** Events: "connected" (address), "disconnected" (address, error?), "goaway" (address). */
export interface ChannelEvents {
  connected: [address: string];
  disconnected: [address: string, error: RpcError | undefined];
  goaway: [address: string];
}

/**
 * A pool of multiplexed connections to one provider address; the Invoker that
 * generated clients call through. Calls are spread round-robin over up to
 * `poolSize` connections opened on demand; a failed connection is reopened only
 * after a capped, jittered backoff, and calls meanwhile fail fast with UNAVAILABLE
 * so that a caller with other providers can go elsewhere.
 *
 * `close()` drains (no new calls, pending ones finish); `destroy(error)` aborts.
 */
export class Channel extends EventEmitter<ChannelEvents> implements Invoker {
  readonly address: string;
  private readonly codec: MessageCodec;
  private readonly settings: ClientConnectionSettings;
  private readonly defaultTimeoutMs: number;
  private readonly pool: ConnectionPool<ClientConnection>;
  /** Every live connection, draining ones included. */
  private pending = 0;
  private closing = false;
  private closedPromise: Promise<void> | undefined;
  private readonly connectionEvents: ClientConnectionEvents;
  /** The channel's own metadata (credentials), sent with every call; undefined when it has none. */
  private readonly metadata: Record<string, string> | undefined;

  constructor(options: ChannelOptions) {
    super();
    const { host, port } = parseAddress(options.address);
    this.address = options.address;
    const codecName = options.codec ?? "binary";
    const codec = codecByName(codecName);
    if (codec === undefined) throw new TypeError(`unknown codec "${codecName}": expected "binary" or "json"`);
    this.codec = codec;
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? 30_000;
    this.settings = {
      host,
      port,
      address: options.address,
      limits: {
        maxFrameBytes: options.maxFrameBytes ?? defaultFrameLimits.maxFrameBytes,
        compressThresholdBytes: options.compressThresholdBytes ?? defaultFrameLimits.compressThresholdBytes,
      },
      connectTimeoutMs: options.connectTimeoutMs ?? 5000,
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 10_000,
      maxPendingBytes: options.maxPendingBytes ?? 16 * 1024 * 1024,
      logger: options.logger ?? defaultLogger(),
      ...(options.tls === undefined ? {} : { tls: resolveClientTls(options.tls) }),
    };
    this.metadata =
      options.token === undefined && options.metadata === undefined
        ? undefined
        : Object.freeze({ ...options.metadata, ...(options.token === undefined ? {} : bearerToken(options.token)) });
    this.pool = new ConnectionPool(this.address, options.poolSize ?? 1, options.reconnect ?? { baseMs: 100, maxMs: 10_000 }, () =>
      new ClientConnection(this.settings, this.connectionEvents),
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

  invoke(method: MethodDescriptor, args: readonly unknown[], options?: CallOptions): Promise<unknown> {
    try {
      return this.send(method, args, options?.timeoutMs, options?.signal, options?.metadata, Date.now(), undefined);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * invoke() for a layer above the channel that books each call (governance):
   * `observer` is told of the outcome before the promise settles (see
   * CallObserver), so that layer needs no promise of its own. The options come
   * as arguments and `now` is the caller's Date.now() reading, so a call
   * allocates nothing to describe itself. Throws the RpcError instead of
   * rejecting when the call cannot be sent (the observer is not told then).
   */
  invokeObserved(
    method: MethodDescriptor,
    args: readonly unknown[],
    timeoutMs: number | undefined,
    signal: AbortSignal | undefined,
    metadata: Record<string, string> | undefined,
    now: number,
    observer: CallObserver,
  ): Promise<unknown> {
    return this.send(method, args, timeoutMs, signal, metadata, now, observer);
  }

  /** Sends a call on a pooled connection; throws the RpcError when it cannot be sent. */
  private send(
    method: MethodDescriptor,
    args: readonly unknown[],
    requestedTimeoutMs: number | undefined,
    signal: AbortSignal | undefined,
    callMetadata: Record<string, string> | undefined,
    now: number,
    observer: CallObserver | undefined,
  ): Promise<unknown> {
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
    const deadlineAt = timeoutMs > 0 && timeoutMs !== Infinity ? now + timeoutMs : 0;
    const connection = this.pick();
    const metadata =
      this.metadata === undefined ? callMetadata : callMetadata === undefined ? this.metadata : mergeMetadata(this.metadata, callMetadata);
    return connection.call(method, args, this.codec, deadlineAt, signal, metadata, now, observer);
  }

  /**
   * Round trip to the provider over a pooled connection (opening one if needed);
   * resolves with the time in milliseconds. Governance uses it to probe a provider.
   */
  ping(options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<number> {
    let connection: ClientConnection;
    try {
      connection = this.pick();
    } catch (error) {
      return Promise.reject(error);
    }
    const timeoutMs = options?.timeoutMs ?? (this.defaultTimeoutMs || 30_000);
    return connection.ping(this.codec, Date.now() + timeoutMs, options?.signal);
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
        ? new RpcError(Code.CANCELLED, `channel to ${this.address} was destroyed`)
        : RpcError.from(error);
    for (const connection of this.pool.open) connection.destroy(reason);
  }

  private pick(): ClientConnection {
    if (this.closing) throw new RpcError(Code.UNAVAILABLE, `channel to ${this.address} is closed`);
    return this.pool.pick();
  }

  private onConnectionClosed(connection: ClientConnection, error: RpcError | undefined): void {
    this.pool.closed(connection, this.closing ? undefined : error);
    if (error !== undefined && !this.closing) {
      this.settings.logger.debug({ address: this.address, err: error }, "connection closed with an error");
    }
    this.emit("disconnected", this.address, error);
  }
}
