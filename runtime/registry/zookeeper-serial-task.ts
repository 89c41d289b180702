/**
 * Runs an async job (list the providers again, make sure a node exists) whenever
 * asked, never twice at once: ZooKeeper watch events, reconnections and new
 * sessions all just ask, and a request that arrives during a run causes exactly
 * one more run after it, so the last run always starts after the last event. A
 * failed run is retried after a short, capped, jittered delay until one succeeds
 * or the task is stopped.
 */
import { pause, retryDelayMs } from "./retry-delay.js";

/** Options of a SerialTask. */
export interface SerialTaskOptions {
  /** Cap of the delay between retries. */
  maxDelayMs: number;
  /** Stops the task: no run starts after it aborts. */
  signal: AbortSignal;
  /** Told about every failed run before its retry. */
  onFailure: (error: unknown, attempt: number) => void;
}

/** A job run on request, one run at a time, retried until it succeeds. */
export class SerialTask {
  private running: Promise<void> | undefined;
  private requested = false;
  private successWaiters: (() => void)[] = [];

  constructor(
    private readonly job: () => Promise<void>,
    private readonly options: SerialTaskOptions,
  ) {}

  /** Asks for a run: now if idle, else once the current run ends. */
  request(): void {
    this.requested = true;
    if (this.running || this.options.signal.aborted) return;
    this.running = this.loop();
  }

  /** Resolves after the next run that succeeds and started after this call (requests one). */
  nextSuccess(): Promise<void> {
    return new Promise((resolve) => {
      this.successWaiters.push(resolve);
      this.request();
    });
  }

  /** Resolves once no run is in progress. */
  idle(): Promise<void> {
    return this.running ?? Promise.resolve();
  }

  private async loop(): Promise<void> {
    // Let request() store this promise before the loop can end.
    await null;
    try {
      for (let attempt = 0; this.requested && !this.options.signal.aborted;) {
        this.requested = false;
        const waiters = this.successWaiters;
        this.successWaiters = [];
        try {
          await this.job();
          attempt = 0;
          for (const resolve of waiters) resolve();
        } catch (error) {
          this.successWaiters.unshift(...waiters);
          if (this.options.signal.aborted) return; // stopped: the failure is the stop's doing
          this.options.onFailure(error, attempt);
          this.requested = true;
          if (!(await pause(retryDelayMs(attempt++, this.options.maxDelayMs), this.options.signal))) return;
        }
      }
    } finally {
      this.running = undefined;
    }
  }
}
