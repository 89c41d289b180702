import type { Invoker } from "../call.js";
import type { Channel } from "../client/channel.js";
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
  /**
   * True when the transport itself rejects a call as soon as its `timeoutMs`
   * passes (DEADLINE_EXCEEDED) or its `signal` aborts (CANCELLED, or the
   * signal's AbortError). A Channel does, on the shared deadline wheel; the
   * cluster invoker recognises Channels without this flag. Such a
   * transport is handed the time left and the caller's signal, and governance
   * adds no signal, timer or race of its own to the call. Without it, every
   * attempt gets a signal that aborts on the deadline and is raced against it,
   * so a transport that ignores both still cannot outlive the deadline.
   */
  readonly enforcesCallLimits?: boolean;
  /**
   * Optional, for a transport that enforces its call limits (above): invoke()
   * with the options as arguments (`now` being the caller's Date.now()), telling
   * `observer` of the outcome before the returned promise settles, and throwing
   * instead of rejecting when the call cannot be sent. Governance then books an
   * attempt without a promise, closure or options object of its own. A Channel
   * has it, and its signature is the Channel's: the one place its seven
   * parameters are spelled out.
   */
  readonly invokeObserved?: Channel["invokeObserved"];
  /** Graceful close: lets calls in flight finish. */
  close(): Promise<void>;
}

/** Opens the transport for a provider; the cluster invoker calls it once per provider address. */
export type TransportFactory = (provider: ProviderInfo) => ProviderTransport;
