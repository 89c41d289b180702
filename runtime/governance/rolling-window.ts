/**
 * Counts calls and failures over the last `windowMs`, in ten buckets so that
 * old results age out gradually instead of all at once.
 */
export class RollingWindow {
  private static readonly bucketCount = 10;
  private readonly bucketMs: number;
  private readonly starts: number[];
  private readonly calls: number[];
  private readonly failures: number[];
  /** The bucket written last and the time span it covers: most records land in it again. */
  private currentIndex = 0;
  private currentStart = -Infinity;
  private currentEnd = -Infinity;

  constructor(
    windowMs: number,
    private readonly now: () => number,
  ) {
    this.bucketMs = Math.max(1, windowMs / RollingWindow.bucketCount);
    this.starts = new Array<number>(RollingWindow.bucketCount).fill(-Infinity);
    this.calls = new Array<number>(RollingWindow.bucketCount).fill(0);
    this.failures = new Array<number>(RollingWindow.bucketCount).fill(0);
  }

  /** Counts one call; `at` is the clock's current reading if the caller has one already. */
  record(failed: boolean, at: number = this.now()): void {
    const index = this.bucketAt(at);
    this.calls[index]! += 1;
    if (failed) this.failures[index]! += 1;
  }

  /** Calls and failures still inside the window. */
  totals(): { calls: number; failures: number } {
    const oldest = this.bucketStart(this.now()) - this.bucketMs * (RollingWindow.bucketCount - 1);
    let calls = 0;
    let failures = 0;
    for (let i = 0; i < RollingWindow.bucketCount; i++) {
      if (this.starts[i]! >= oldest) {
        calls += this.calls[i]!;
        failures += this.failures[i]!;
      }
    }
    return { calls, failures };
  }

  reset(): void {
    this.currentStart = -Infinity;
    this.currentEnd = -Infinity;
    this.starts.fill(-Infinity);
    this.calls.fill(0);
    this.failures.fill(0);
  }

  private bucketStart(time: number): number {
    return Math.floor(time / this.bucketMs) * this.bucketMs;
  }

  private bucketAt(time: number): number {
    if (time >= this.currentStart && time < this.currentEnd) return this.currentIndex;
    const start = this.bucketStart(time);
    const index = Math.floor(start / this.bucketMs) % RollingWindow.bucketCount;
    if (this.starts[index] !== start) {
      this.starts[index] = start;
      this.calls[index] = 0;
      this.failures[index] = 0;
    }
    this.currentIndex = index;
    this.currentStart = start;
    this.currentEnd = start + this.bucketMs;
    return index;
  }
}
