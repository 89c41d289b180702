import type { CallOptions, Invoker } from "../../call.js";
import { PooledChannel, type ChannelEvents, type PooledChannelOptions } from "../../client/pooled-channel.js";
import type { MethodDescriptor } from "../../descriptor.js";
import type { ProviderTransport } from "../../governance/provider-transport.js";
import { ThriftClientConnection, type ThriftConnectionSettings } from "./thrift-client-connection.js";

/** Options of a ThriftChannel. */
export interface ThriftChannelOptions extends PooledChannelOptions {
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
  /** Largest call and largest reply in bytes. Default 16384000, Apache Thrift's default frame limit. */
  maxMessageBytes?: number;
  /** Transport `header` only: sent with every call as `authorization: Bearer <token>`. */
  token?: string;
  /** Transport `header` only: sent with every call; a call's own CallOptions.metadata wins key by key. */
  metadata?: Record<string, string>;
}

/** Events: "connected" (address), "disconnected" (address, error?); never "goaway", as Thrift has none. */
export type ThriftChannelEvents = ChannelEvents;

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
export class ThriftChannel extends PooledChannel<ThriftClientConnection> implements Invoker, ProviderTransport {
  /** It settles a call itself once its deadline passes or its signal aborts, on the shared deadline wheel. */
  readonly enforcesCallLimits = true;
  private readonly settings: ThriftConnectionSettings;
  private readonly pingService: string | undefined;
  private lastService: string | undefined;

  constructor(options: ThriftChannelOptions) {
    super(options, "Thrift ");
    const transport = options.transport ?? "framed";
    const protocol = options.protocol ?? "binary";
    if (transport !== "framed" && transport !== "buffered" && transport !== "header") {
      throw new TypeError(`unknown Thrift transport "${String(transport)}": expected "framed", "buffered" or "header"`);
    }
    if (protocol !== "binary" && protocol !== "compact") {
      throw new TypeError(`unknown Thrift protocol "${String(protocol)}": expected "binary" or "compact"`);
    }
    if ((options.token !== undefined || options.metadata !== undefined) && transport !== "header") {
      // Credentials that cannot be sent must not be dropped silently.
      throw new TypeError(`Thrift transport "${transport}" carries no metadata: token and metadata need transport "header"`);
    }
    this.pingService = options.pingService;
    this.settings = {
      ...this.socketSettings,
      framed: transport !== "buffered",
      header: transport === "header",
      compact: protocol === "compact",
      multiplexed: options.multiplexed ?? false,
      maxMessageBytes: options.maxMessageBytes ?? 16_384_000,
    };
  }

  invoke(method: MethodDescriptor, args: readonly unknown[], options?: CallOptions): Promise<unknown> {
    const signal = options?.signal;
    let deadlineAt: number;
    let connection: ThriftClientConnection;
    try {
      deadlineAt = this.deadlineOf(method, options?.timeoutMs, signal, Date.now());
      connection = this.pick();
    } catch (error) {
      return Promise.reject(error);
    }
    this.lastService = method.service;
    if (!this.settings.header) return connection.call(method, args, deadlineAt, signal);
    return connection.call(method, args, deadlineAt, signal, this.metadataFor(options?.metadata));
  }

  protected override openConnection(): ThriftClientConnection {
    return new ThriftClientConnection(this.settings, this.connectionEvents);
  }

  /**
   * A round trip that needs nothing of the server: a call of a method that
   * cannot exist, answered by any Thrift server with UNKNOWN_METHOD.
   */
  protected override pingOn(connection: ThriftClientConnection, deadlineAt: number, signal: AbortSignal | undefined): Promise<number> {
    const service = this.pingService ?? this.lastService;
    // A multiplexing server needs a service it knows to route even an unknown method.
    const name = this.settings.multiplexed && service !== undefined ? `${service}:${pingMethod}` : pingMethod;
    return connection.ping(name, deadlineAt, signal);
  }
}
