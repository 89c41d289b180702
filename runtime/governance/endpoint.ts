import { Channel } from "../client/channel.js";
import type { ProviderInfo } from "../registry/registry.js";
import { CircuitBreaker, type BreakerOptions, type BreakerState } from "./circuit-breaker.js";
import { untilAborted } from "./until-aborted.js";
import type { BalancedEndpoint } from "./load-balancer.js";
import type { ProviderTransport } from "./provider-transport.js";

/** Weight of the newest latency sample in the EWMA. */
const LATENCY_EWMA_ALPHA = 0.3;

/** State of a provider as seen by one cluster invoker. */
export type EndpointState = BreakerState | "draining" | "removed";

/**
 * One provider inside a cluster invoker: its transport, breaker, counters and
 * the flags that keep new calls away (shutting down, removed from the registry).
 */
export class Endpoint implements BalancedEndpoint {
  readonly key: string;
  readonly breaker: CircuitBreaker;
  /** See ProviderTransport.enforcesCallLimits. */
  readonly enforcesCallLimits: boolean;
  inFlight = 0;
  calls = 0;
  failures = 0;
  latencyEwmaMs: number | undefined;
  private isDraining = false;
  private drainProbe: NodeJS.Timeout | undefined;
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
    if (this.isDraining) return "draining";
    return this.breaker.state;
  }

  /** Whether a new call may be sent to this provider now. */
  canAccept(): boolean {
    return !this.removed && !this.isDraining && this.breaker.canAccept();
  }

  /** True after a "goaway" until the provider is reachable again. */
  get draining(): boolean {
    return this.isDraining;
  }

  /**
   * The provider said goaway: no new calls. With a static registry the same
   * address may come back (a restarted server), so it is pinged every
   * `probeIntervalMs`; the first answer (or a "connected" event) ends the drain.
   */
  startDraining(probeIntervalMs: number): void {
    if (this.removed) return;
    this.isDraining = true;
    if (this.drainProbe !== undefined) return;
    let probing = false;
    this.drainProbe = setInterval(() => {
      if (probing) return;
      probing = true;
      this.transport
        .ping()
        .then(
          () => this.stopDraining(),
          () => {},
        )
        .finally(() => (probing = false));
    }, probeIntervalMs);
    this.drainProbe.unref();
  }

  /**
   * A connection to the provider was lost. That may be a dead provider (killed,
   * crashed, its host gone) or a blip, so it is asked at once with one ping: a
   * provider that answers keeps its calls; one that does not is drained (no new
   * calls, probed every `probeIntervalMs` until it answers). This is what stops
   * calls to a killed provider right away instead of after the breaker's count
   * of failed calls.
   */
  checkReachable(probeIntervalMs: number): void {
    if (this.removed || this.isDraining || this.checkingReachable) return;
    this.checkingReachable = true;
    this.probe()
      .then(
        () => {},
        () => this.startDraining(probeIntervalMs),
      )
      .finally(() => (this.checkingReachable = false));
  }

  /** The provider is reachable again. */
  stopDraining(): void {
    this.isDraining = false;
    if (this.drainProbe !== undefined) clearInterval(this.drainProbe);
    this.drainProbe = undefined;
  }

  observeLatency(ms: number): void {
    this.latencyEwmaMs =
      this.latencyEwmaMs === undefined ? ms : this.latencyEwmaMs + LATENCY_EWMA_ALPHA * (ms - this.latencyEwmaMs);
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
    this.stopDraining();
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
