import { EventEmitter } from "node:events";
import type { CallOptions, Invoker } from "../../call.js";
import { ConnectionPool } from "../../client/connection-pool.js";
import type { MethodDescriptor } from "../../descriptor.js";
import { Code, RpcError } from "../../errors.js";
import type { ProviderTransport } from "../../governance/provider-transport.js";
import { defaultLogger, type Logger } from "../../logger.js";
import { bearerToken, mergeMetadata } from "../../security/credentials.js";
import { parseAddress } from "../../transport/address.js";
import {
  ThriftClientConnection,
  type ThriftConnectionEvents,
  type ThriftConnectionSettings,
} from "./thrift-client-connection.js";

/** Options of a ThriftChannel. */
export interface ThriftChannelOptions {
  /** The Thrift server, `host:port`. */
  address: string;
  /**
   * TFramedTransport (`framed`, the default), the unframed TBufferedTransport
   * (`buffered`), or THeader (`header`: framed, each call's metadata, the
   * `traceparent` of tracing and credentials included, sent as info headers).
   */
  transport?: "framed" | "buffered" | "header";
  /** TBinaryProtocol (`binary`, the default) or TCompactProtocol (`compact`). */
  protocol?: "binary" | "compact";
  /** Send method names as `Service:method`, for a server behind a TMultiplexedProcessor. Default false. */
  multiplexed?: boolean;
  /**
   * The service named by a multiplexed ping before any call was made (governance
   * probes a provider with pings). Default: the service of the last call.
   */
  pingService?: string;
  /** Connections kept to the address, opened lazily as calls arrive. Default 1. */
  poolSize?: number;
  /** Default 5000. */
  connectTimeoutMs?: number;
  /** Deadline of calls whose options and method hints set none. Default 30000; 0 means none. */
  defaultTimeoutMs?: number;
  /** Largest call and largest reply in bytes. Default 16384000, Apache Thrift's default frame limit. */
  maxMessageBytes?: number;
  /** Bytes a connection may hold unsent before calls fail RESOURCE_EXHAUSTED. Default 16 MiB. */
  maxPendingBytes?: number;
  /** Transport `header` only: sent with every call as `authorization: Bearer <token>`. */
  token?: string;
  /** Transport `header` only: sent with every call; a call's own CallOptions.metadata wins key by key. */
  metadata?: Record<string, string>;
  /** Wait before reconnecting after a failure: doubles from baseMs up to maxMs, with jitter. Default 100 / 10000. */
  reconnect?: { baseMs: number; maxMs: number };
  logger?: Logger;
}

/** Events: "connected" (address), "disconnected" (address, error?). Thrift has no goaway. */
export interface ThriftChannelEvents {
  connected: [address: string];
  disconnected: [address: string, error: RpcError | undefined];
  goaway: [address: string];
}

/** The method a ping calls: no Thrift IDL can declare a name with a dot, so no server has it. */
const pingMethod = "rpcgen.ping";

/**
 * An Invoker that calls an Apache Thrift server (Java, Python, Go, C++, Node.js
 * or rpcgen's own port): the generated `XClient` works over it unchanged, in any
 * transport/protocol pair and with or without TMultiplexedProtocol. Calls are
 * pipelined on up to `poolSize` connections, spread round-robin and matched to
 * replies by seqid; a failed connection is reopened after a capped, jittered
 * backoff, and calls meanwhile fail fast with UNAVAILABLE.
 *
 * Deadlines and cancellation settle a call at once (Thrift cannot tell the
 * server; a late reply is dropped). Only THeader carries metadata: with
 * transport `header` a call's metadata (CallOptions.metadata, what client
 * interceptors add such as tracing's `traceparent`, the channel's token) goes
 * out as info headers; framed and buffered send none. As a ProviderTransport
 * it can stand under a ClusterInvoker (see thriftTransportFactory).
 */
export class ThriftChannel extends EventEmitter<ThriftChannelEvents> implements Invoker, ProviderTransport {
  readonly address: string;
  /** It settles a call itself once its deadline passes or its signal aborts, on the shared deadline wheel. */
  readonly enforcesCallLimits = true;
  private readonly settings: ThriftConnectionSettings;
  private readonly defaultTimeoutMs: number;
  private readonly logger: Logger;
  private readonly pool: ConnectionPool<ThriftClientConnection>;
  private readonly connectionEvents: ThriftConnectionEvents;
  private readonly pingService: string | undefined;
  /** The channel's own metadata (credentials), sent with every call over THeader; undefined when it has none. */
  private readonly metadata: Record<string, string> | undefined;
  private lastService: string | undefined;
  private pending = 0;
  private closing = false;
  private closedPromise: Promise<void> | undefined;

  constructor(options: ThriftChannelOptions) {
    super();
    const { host, port } = parseAddress(options.address);
    this.address = options.address;
    const transport = options.transport ?? "framed";
    const protocol = options.protocol ?? "binary";
    if (transport !== "framed" && transport !== "buffered" && transport !== "header") {
      throw new TypeError(`unknown Thrift transport "${String(transport)}": expected "framed", "buffered" or "header"`);
    }
    if (protocol !== "binary" && protocol !== "compact") {
      throw new TypeError(`unknown Thrift protocol "${String(protocol)}": expected "binary" or "compact"`);
    }
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? 30_000;
    this.logger = options.logger ?? defaultLogger();
    this.pingService = options.pingService;
    if ((options.token !== undefined || options.metadata !== undefined) && transport !== "header") {
      // Credentials that cannot be sent must not be dropped silently.
      throw new TypeError(`Thrift transport "${transport}" carries no metadata: token and metadata need transport "header"`);
    }
    this.metadata =
      options.token === undefined && options.metadata === undefined
        ? undefined
        : Object.freeze({ ...options.metadata, ...(options.token === undefined ? {} : bearerToken(options.token)) });
    const multiplexed = options.multiplexed ?? false;
    this.settings = {
      host,
      port,
      address: options.address,
      framed: transport !== "buffered",
      header: transport === "header",
      compact: protocol === "compact",
      multiplexed,
      maxMessageBytes: options.maxMessageBytes ?? 16_384_000,
      maxPendingBytes: options.maxPendingBytes ?? 16 * 1024 * 1024,
      connectTimeoutMs: options.connectTimeoutMs ?? 5000,
    };
    this.pool = new ConnectionPool(this.address, options.poolSize ?? 1, options.reconnect ?? { baseMs: 100, maxMs: 10_000 }, () =>
      new ThriftClientConnection(this.settings, this.connectionEvents),
    );
    this.connectionEvents = {
      connected: (connection) => {
        this.pool.connected(connection);
        this.emit("connected", this.address);
      },
      closed: (connection, error) => this.onConnectionClosed(connection, error),
      pendingChanged: (delta) => {
        this.pending += delta;
      },
    };
  }

  /** Calls (and pings) in flight on this channel. */
  get pendingCalls(): number {
    return this.pending;
  }

  invoke(method: MethodDescriptor, args: readonly unknown[], options?: CallOptions): Promise<unknown> {
    const signal = options?.signal;
    if (signal?.aborted) {
      return Promise.reject(new RpcError(Code.CANCELLED, `${method.fullName} was cancelled`, { cause: signal.reason }));
    }
    const timeoutMs = options?.timeoutMs ?? method.hints.timeoutMs ?? this.defaultTimeoutMs;
    if (!(timeoutMs >= 0)) {
      return Promise.reject(
        new RpcError(
          Code.INVALID_ARGUMENT,
          `${method.fullName}: timeoutMs must be a number >= 0 (0 or Infinity for none), got ${timeoutMs}`,
        ),
      );
    }
    const deadlineAt = timeoutMs > 0 && timeoutMs !== Infinity ? Date.now() + timeoutMs : 0;
    let connection: ThriftClientConnection;
    try {
      connection = this.pick();
    } catch (error) {
      return Promise.reject(error);
    }
    this.lastService = method.service;
    if (!this.settings.header) return connection.call(method, args, deadlineAt, signal);
    const callMetadata = options?.metadata;
    const metadata =
      this.metadata === undefined ? callMetadata : callMetadata === undefined ? this.metadata : mergeMetadata(this.metadata, callMetadata);
    return connection.call(method, args, deadlineAt, signal, metadata);
  }

  /**
   * A round trip to the server, for governance's probes: a call of a method
   * that cannot exist, answered by any Thrift server with UNKNOWN_METHOD.
   * Resolves with the time in milliseconds.
   */
  ping(options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<number> {
    let connection: ThriftClientConnection;
    try {
      connection = this.pick();
    } catch (error) {
      return Promise.reject(error);
    }
    const service = this.pingService ?? this.lastService;
    // A multiplexing server needs a service it knows to route even an unknown method.
    const name = this.settings.multiplexed && service !== undefined ? `${service}:${pingMethod}` : pingMethod;
    const timeoutMs = options?.timeoutMs ?? (this.defaultTimeoutMs || 30_000);
    return connection.ping(name, Date.now() + timeoutMs, options?.signal);
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
        ? new RpcError(Code.CANCELLED, `Thrift channel to ${this.address} was destroyed`)
        : RpcError.from(error);
    for (const connection of this.pool.open) connection.destroy(reason);
  }

  private pick(): ThriftClientConnection {
    if (this.closing) throw new RpcError(Code.UNAVAILABLE, `Thrift channel to ${this.address} is closed`);
    return this.pool.pick();
  }

  private onConnectionClosed(connection: ThriftClientConnection, error: RpcError | undefined): void {
    this.pool.closed(connection, this.closing ? undefined : error);
    if (error !== undefined && !this.closing) {
      this.logger.debug({ address: this.address, err: error }, "Thrift connection closed with an error");
    }
    this.emit("disconnected", this.address, error);
  }
}
