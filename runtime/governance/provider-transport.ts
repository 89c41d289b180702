import type { Invoker } from "../call.js";
import type { ProviderInfo } from "../registry/registry.js";

/** Transport events governance listens to. */
export type ProviderTransportEvent = "goaway" | "connected" | "disconnected";

/**
 * What governance needs from the connection(s) to ONE provider. The client's
 * `Channel` implements it; governance never reaches past it into sockets.
 */
export interface ProviderTransport extends Invoker {
  /** Round-trip probe used by circuit breakers; resolves with the latency in ms. */
  ping(options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<number>;
  /** Calls sent on this transport and not answered yet (all callers, not only ours). */
  readonly pendingCalls: number;
  /** "goaway": the provider is shutting down and takes no new calls. */
  on(event: ProviderTransportEvent, listener: (...args: any[]) => void): unknown;
  off(event: ProviderTransportEvent, listener: (...args: any[]) => void): unknown;
  /** Graceful close: lets calls in flight finish. */
  close(): Promise<void>;
}

/** Opens the transport for a provider; the cluster invoker calls it once per provider address. */
export type TransportFactory = (provider: ProviderInfo) => ProviderTransport;
