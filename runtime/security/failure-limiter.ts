/**
 * Counts failed authentication attempts per peer address (IP, any port) in a
 * fixed window, so that a client guessing tokens is stopped after a few tries
 * however many connections it opens. Memory is bounded: at most `maxAddresses`
 * are remembered, the oldest forgotten first.
 */
export class FailureLimiter {
  private readonly byAddress = new Map<string, { failures: number; windowStart: number }>();

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs: number,
    private readonly maxAddresses = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** True when `address` has used up its failures for the current window. */
  blocked(address: string): boolean {
    const entry = this.byAddress.get(address);
    if (entry === undefined) return false;
    if (this.now() - entry.windowStart >= this.windowMs) {
      this.byAddress.delete(address);
      return false;
    }
    return entry.failures >= this.maxFailures;
  }

  /** Counts a failure; returns true when `address` is now blocked. */
  fail(address: string): boolean {
    const now = this.now();
    let entry = this.byAddress.get(address);
    if (entry === undefined || now - entry.windowStart >= this.windowMs) {
      this.byAddress.delete(address);
      if (this.byAddress.size >= this.maxAddresses) {
        const oldest = this.byAddress.keys().next().value;
        if (oldest !== undefined) this.byAddress.delete(oldest);
      }
      entry = { failures: 0, windowStart: now };
      this.byAddress.set(address, entry);
    }
    entry.failures += 1;
    return entry.failures >= this.maxFailures;
  }

  /** Addresses remembered (for tests and metrics). */
  get size(): number {
    return this.byAddress.size;
  }
}
