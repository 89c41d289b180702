import { RollingWindow } from "./rolling-window.js";

export type BreakerState = "closed" | "open" | "half-open";

/** Thresholds of a per-provider circuit breaker. */
export interface BreakerOptions {
  /** Consecutive health failures that open the breaker (`maxErrorCount`). */
  maxErrorCount: number;
  /** Failure ratio over the rolling window that opens the breaker (0..1). */
  errorRatio: number;
  /** Calls the window must hold before the ratio is trusted. */
  minCalls: number;
  /** Length of the rolling window. */
  windowMs: number;
  /** How often an open provider is probed with `ping()`. */
  probeIntervalMs: number;
}

export const DEFAULT_BREAKER_OPTIONS: BreakerOptions = {
  maxErrorCount: 5,
  errorRatio: 0.5,
  minCalls: 20,
  windowMs: 10_000,
  probeIntervalMs: 1_000,
};

/** Handed out when a call is let through; its outcome is recorded with it. */
export interface BreakerPermit {
  /** True for the single trial call of a half-open breaker. */
  readonly trial: boolean;
}

// Permits carry no per-call state, so two shared ones serve every call.
const REGULAR_PERMIT: BreakerPermit = Object.freeze({ trial: false });
const TRIAL_PERMIT: BreakerPermit = Object.freeze({ trial: true });

/**
 * The breaker of one provider. Closed: calls flow and results are counted.
 * Open: no calls; `ping()` probes run every `probeIntervalMs`. A successful
 * probe makes it half-open, which lets exactly one trial call through: success
 * closes it, a health failure opens it again.
 */
export class CircuitBreaker {
  private current: BreakerState = "closed";
  private consecutiveFailures = 0;
  private trialInFlight = false;
  private probeInFlight = false;
  private probeTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly window: RollingWindow;

  constructor(
    private readonly options: BreakerOptions,
    private readonly ping: () => Promise<unknown>,
    private readonly onStateChange: (state: BreakerState, reason: string) => void = () => {},
    now: () => number = Date.now,
  ) {
    this.window = new RollingWindow(options.windowMs, now);
  }

  get state(): BreakerState {
    return this.current;
  }

  /** Whether a new call may be sent now. */
  canAccept(): boolean {
    return this.current === "closed" || (this.current === "half-open" && !this.trialInFlight);
  }

  /** Takes a permit for a call; undefined when the breaker lets nothing through. */
  acquire(): BreakerPermit | undefined {
    if (this.current === "closed") return REGULAR_PERMIT;
    if (this.current === "half-open" && !this.trialInFlight) {
      this.trialInFlight = true;
      return TRIAL_PERMIT;
    }
    return undefined;
  }

  /**
   * The provider answered (a success or an answer that is not a health failure).
   * `at`: the breaker clock's current reading, if the caller has just taken one.
   */
  recordSuccess(permit: BreakerPermit, at?: number): void {
    if (permit.trial) {
      this.trialInFlight = false;
      if (this.current === "half-open") this.transition("closed", "trial call succeeded");
      return;
    }
    if (this.current !== "closed") return;
    this.consecutiveFailures = 0;
    this.window.record(false, at);
  }

  /** The call failed in a way that says the provider is unhealthy; `at` as for recordSuccess. */
  recordFailure(permit: BreakerPermit, at?: number): void {
    if (permit.trial) {
      this.trialInFlight = false;
      if (this.current === "half-open") this.transition("open", "trial call failed");
      return;
    }
    if (this.current !== "closed") return;
    this.consecutiveFailures += 1;
    this.window.record(true, at);
    if (this.consecutiveFailures >= this.options.maxErrorCount) {
      this.transition("open", `${this.consecutiveFailures} consecutive failures`);
      return;
    }
    const { calls, failures } = this.window.totals();
    if (calls >= this.options.minCalls && failures / calls >= this.options.errorRatio) {
      this.transition("open", `${failures} of ${calls} calls failed in the window`);
    }
  }

  /** The call ended without telling anything about health (e.g. the caller cancelled). */
  recordNeutral(permit: BreakerPermit): void {
    if (permit.trial) this.trialInFlight = false;
  }

  /**
   * Sends one heartbeat probe if the breaker is open; a success moves it to
   * half-open. Runs on the probe timer; public so it can be driven directly.
   */
  async probe(): Promise<boolean> {
    if (this.current !== "open" || this.probeInFlight || this.closed) return false;
    this.probeInFlight = true;
    try {
      await this.ping();
      if (this.current === "open" && !this.closed) this.transition("half-open", "heartbeat probe succeeded");
      return true;
    } catch {
      return false;
    } finally {
      this.probeInFlight = false;
    }
  }

  /** Stops the probe timer; the breaker is no longer used. */
  dispose(): void {
    this.closed = true;
    this.stopProbing();
  }

  private transition(state: BreakerState, reason: string): void {
    this.current = state;
    this.consecutiveFailures = 0;
    this.window.reset();
    if (state === "open") this.startProbing();
    else this.stopProbing();
    this.onStateChange(state, reason);
  }

  private startProbing(): void {
    if (this.probeTimer !== undefined || this.closed) return;
    this.probeTimer = setInterval(() => void this.probe(), this.options.probeIntervalMs);
    // Probing must never keep a process alive on its own.
    this.probeTimer.unref();
  }

  private stopProbing(): void {
    if (this.probeTimer === undefined) return;
    clearInterval(this.probeTimer);
    this.probeTimer = undefined;
  }
}
