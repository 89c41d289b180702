import type { CallOptions, Invoker } from "../call.js";
import type { MessageCodec } from "../codec/codec.js";
import { codecByName } from "../codec/codec-registry.js";
import type { MethodDescriptor } from "../descriptor.js";
import { resolveClientTls, type ClientTlsOptions } from "../security/client-tls.js";
import { defaultFrameLimits } from "../wire/frame-limits.js";
import type { CallObserver } from "./call-observer.js";
import { ClientConnection, type ClientConnectionSettings } from "./client-connection.js";
import { PooledChannel, type PooledChannelOptions } from "./pooled-channel.js";

export type { ChannelEvents } from "./pooled-channel.js";

/** Options of a Channel. */
export interface ChannelOptions extends PooledChannelOptions {
  /** The provider, `host:port`. */
  address: string;
  /** Body codec for every call of this channel. Default "binary". */
  codec?: "binary" | "json";
  /** Idle connections are pinged at this interval; a peer silent for two intervals is dropped. Default 10000; 0 disables. */
  heartbeatIntervalMs?: number;
  /** Default 4 MiB, as the server's. */
  maxFrameBytes?: number;
  /** Default 2 MiB. */
  compressThresholdBytes?: number;
  /** TLS to the provider (`true`: the system's trusted CAs); see docs/SECURITY.md. Default: plain TCP. */
  tls?: ClientTlsOptions | true;
}

/**
 * A pool of multiplexed connections to one provider address; the Invoker that
 * generated clients call through. Calls are spread round-robin over up to
 * `poolSize` connections opened on demand; a failed connection is reopened only
 * after a capped, jittered backoff, and calls meanwhile fail fast with UNAVAILABLE
 * so that a caller with other providers can go elsewhere.
 *
 * `close()` drains (no new calls, pending ones finish); `destroy(error)` aborts.
 * Events: "connected" (address), "disconnected" (address, error?), "goaway" (address).
 */
export class Channel extends PooledChannel<ClientConnection> implements Invoker {
  private readonly codec: MessageCodec;
  private readonly settings: ClientConnectionSettings;

  constructor(options: ChannelOptions) {
    super(options, "");
    const codecName = options.codec ?? "binary";
    const codec = codecByName(codecName);
    if (codec === undefined) throw new TypeError(`unknown codec "${codecName}": expected "binary" or "json"`);
    this.codec = codec;
    this.settings = {
      ...this.socketSettings,
      limits: {
        maxFrameBytes: options.maxFrameBytes ?? defaultFrameLimits.maxFrameBytes,
        compressThresholdBytes: options.compressThresholdBytes ?? defaultFrameLimits.compressThresholdBytes,
      },
      heartbeatIntervalMs: options.heartbeatIntervalMs ?? 10_000,
      logger: this.logger,
      ...(options.tls === undefined ? {} : { tls: resolveClientTls(options.tls) }),
    };
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

  protected override openConnection(): ClientConnection {
    return new ClientConnection(this.settings, this.connectionEvents);
  }

  protected override pingOn(connection: ClientConnection, deadlineAt: number, signal: AbortSignal | undefined): Promise<number> {
    return connection.ping(this.codec, deadlineAt, signal);
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
    const deadlineAt = this.deadlineOf(method, requestedTimeoutMs, signal, now);
    const connection = this.pick();
    return connection.call(method, args, this.codec, deadlineAt, signal, this.metadataFor(callMetadata), now, observer);
  }
}
