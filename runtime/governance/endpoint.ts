import { Channel } from "../client/channel.js";
import type { ProviderInfo } from "../registry/registry.js";
import { CircuitBreaker, type BreakerOptions, type BreakerState } from "./circuit-breaker.js";
import { untilAborted } from "./until-aborted.js";
import type { BalancedEndpoint } from "./load-balancer.js";
import type { ProviderTransport } from "./provider-transport.js";

/** Weight of the newest latency sample in the EWMA. */
const LATENCY_EWMA_ALPHA = 0.3;

/**
 * State of a provider as seen by one cluster invoker, saying why it gets no
 * calls when it gets none:
 * - `closed`: healthy, takes calls (its breaker is closed);
 * - `half-open`: its breaker lets one trial call through;
 * - `breaker-open`: its breaker opened after failed calls; probed until it answers;
 * - `unreachable`: its connection was lost (or refused) and a ping got no answer;
 *   probed until it answers;
 * - `draining`: it sent goaway (shutting down); probed until it answers again;
 * - `removed`: gone from the registry (or out of the version range).
 */
export type EndpointState = "closed" | "half-open" | "breaker-open" | "unreachable" | "draining" | "removed";

/** Why a provider that is still listed takes no calls for now (other than its breaker). */
export type PauseReason = "draining" | "unreachable";

/**
 * One provider inside a cluster invoker: its transport, breaker, counters and
 * the flags that keep new calls away (shutting down, unreachable, removed from the registry).
 */
export class Endpoint implements BalancedEndpoint {
  readonly key: string;
  readonly breaker: CircuitBreaker;
  /** See ProviderTransport.enforcesCallLimits. */
  readonly enforcesCallLimits: boolean;
  /** The transport has ProviderTransport.invokeObserved (and enforces its call limits). */
  readonly observable: boolean;
  inFlight = 0;
  calls = 0;
  failures = 0;
  /** The latency EWMA, NaN before the first sample: always a number, so booking one allocates nothing. */
  private latencyEwma = NaN;
  private paused: PauseReason | undefined;
  private pauseProbe: NodeJS.Timeout | undefined;
  private checkingReachable = false;
  /** Removes the transport listeners the provider set attached. */
  detachListeners: () => void = () => {};
  private removed = false;
  private readonly probeTimeoutMs: number;
  private closing: Promise<void> | undefined;
  private closeWhenIdle: (() => void) | undefined;

  constructor(
    public info: ProviderInfo,
    readonly transport: ProviderTransport,
    breakerOptions: BreakerOptions,
    onBreakerChange: (endpoint: Endpoint, state: BreakerState, reason: string) => void,
    now: () => number,
  ) {
    this.key = info.address;
    this.enforcesCallLimits = transport instanceof Channel || transport.enforcesCallLimits === true;
    this.observable = this.enforcesCallLimits && typeof transport.invokeObserved === "function";
    this.probeTimeoutMs = breakerOptions.probeIntervalMs;
    this.breaker = new CircuitBreaker(
      breakerOptions,
      () => this.probe(),
      (state, reason) => onBreakerChange(this, state, reason),
      now,
    );
  }

  get weight(): number {
    return this.info.weight;
  }

  get state(): EndpointState {
    if (this.removed) return "removed";
    if (this.paused !== undefined) return this.paused;
    const breaker = this.breaker.state;
    return breaker === "open" ? "breaker-open" : breaker;
  }

  /** Whether a new call may be sent to this provider now. */
  canAccept(): boolean {
    return !this.removed && this.paused === undefined && this.breaker.canAccept();
  }

  /**
   * No new calls for `reason` until the provider answers a ping (probed every
   * `probeIntervalMs`) or its transport reports "connected". With a static
   * registry the same address may come back (a restarted server), so it is
   * never given up on here; the registry removes providers that are gone.
   */
  pause(reason: PauseReason, probeIntervalMs: number): void {
    if (this.removed) return;
    this.paused = reason;
    if (this.pauseProbe !== undefined) return;
    let probing = false;
    this.pauseProbe = setInterval(() => {
      if (probing) return;
      probing = true;
      this.transport
        .ping()
        .then(
          () => this.resume(),
          () => {},
        )
        .finally(() => (probing = false));
    }, probeIntervalMs);
    this.pauseProbe.unref();
  }

  /**
   * A connection to the provider was lost. That may be a dead provider (killed,
   * crashed, its host gone) or a blip, so it is asked at once with one ping: a
   * provider that answers keeps its calls; one that does not is `unreachable`
   * (no new calls, probed until it answers). This is what stops calls to a
   * killed provider right away instead of after the breaker's count of failed
   * calls. Resolves true when this check paused the provider.
   */
  async checkReachable(probeIntervalMs: number): Promise<boolean> {
    if (this.removed || this.paused !== undefined || this.checkingReachable) return false;
    this.checkingReachable = true;
    try {
      await this.probe();
      return false;
    } catch {
      if (this.removed || this.paused !== undefined) return false;
      this.pause("unreachable", probeIntervalMs);
      return true;
    } finally {
      this.checkingReachable = false;
    }
  }

  /** The provider is reachable again. */
  resume(): void {
    this.paused = undefined;
    if (this.pauseProbe !== undefined) clearInterval(this.pauseProbe);
    this.pauseProbe = undefined;
  }

  /** EWMA of observed latency in ms; undefined until the first observation. */
  get latencyEwmaMs(): number | undefined {
    const ewma = this.latencyEwma;
    return ewma === ewma ? ewma : undefined;
  }

  observeLatency(ms: number): void {
    const ewma = this.latencyEwma;
    this.latencyEwma = ewma === ewma ? ewma + LATENCY_EWMA_ALPHA * (ms - ewma) : ms;
  }

  /**
   * One heartbeat ping, bounded by the probe interval so that a provider that
   * swallows packets cannot hold the (single) probe in flight forever.
   */
  private probe(): Promise<number> {
    const signal = AbortSignal.timeout(this.probeTimeoutMs);
    return untilAborted(this.transport.ping({ timeoutMs: this.probeTimeoutMs, signal }), signal);
  }

  /** Marks the end of one of our calls; a retired endpoint closes once the last one ends. */
  callEnded(): void {
    this.inFlight -= 1;
    if (this.inFlight === 0) this.closeWhenIdle?.();
  }

  /**
   * Takes the provider out of service: no new calls, probes stop, and the
   * transport is closed gracefully once our calls in flight have finished.
   */
  retire(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    this.removed = true;
    this.resume();
    this.breaker.dispose();
    this.closing = new Promise<void>((resolve, reject) => {
      this.closeWhenIdle = () => {
        this.closeWhenIdle = undefined;
        this.transport.close().then(resolve, reject);
      };
      if (this.inFlight === 0) this.closeWhenIdle();
    });
    return this.closing;
  }
}
