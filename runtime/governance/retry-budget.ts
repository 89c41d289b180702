/** Limits of a retry budget. */
export interface RetryBudgetOptions {
  /** Retries earned per call (0.2 allows retries of at most 20% of calls in steady state). */
  ratio: number;
  /** Retries allowed with no calls earned yet, and the most tokens ever saved up. */
  burst: number;
}

export const DEFAULT_RETRY_BUDGET: RetryBudgetOptions = { ratio: 0.2, burst: 10 };

/**
 * A token bucket that keeps retries from multiplying load during an outage:
 * every call deposits `ratio` tokens, every retry spends one, and the bucket
 * holds at most `burst`. Over any stretch of time, retries ≤ burst + ratio × calls.
 */
export class RetryBudget {
  private tokens: number;

  constructor(private readonly options: RetryBudgetOptions = DEFAULT_RETRY_BUDGET) {
    this.tokens = options.burst;
  }

  /** A new call (first attempt) was made. */
  deposit(): void {
    this.tokens = Math.min(this.options.burst, this.tokens + this.options.ratio);
  }

  /** Takes the token for one retry; false when the budget is spent. */
  tryWithdraw(): boolean {
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Retries currently affordable (for stats). */
  get available(): number {
    return Math.floor(this.tokens);
  }
}
