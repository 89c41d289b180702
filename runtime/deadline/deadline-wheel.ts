/**
 * What the wheel needs from a tracked item. `wheelBucket`/`wheelSlot` belong to the
 * wheel: they let it remove an item in O(1) without searching.
 */
export interface DeadlineEntry {
  /** Absolute deadline, epoch milliseconds. */
  deadlineAt: number;
  wheelBucket: DeadlineEntry[] | undefined;
  wheelSlot: number;
}

/**
 * One coarse timer for many deadlines: entries are dropped into buckets of `tickMs`
 * and a single unref'd interval expires whole buckets at a time. Adding and removing
 * are O(1) and allocate nothing per entry beyond the bucket array, so a call costs
 * no timer of its own. An entry expires at most one tick late, never early.
 *
 * The interval outlives the last entry by up to two ticks: it stops only after a
 * whole tick saw no entry and no add. Calls made one at a time (add, remove, add...)
 * would otherwise start and clear an interval on every call.
 */
export class DeadlineWheel<T extends DeadlineEntry> {
  private readonly buckets = new Map<number, T[]>();
  private count = 0;
  /** The last tick whose bucket has been expired. */
  private cursor = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Set by add(), cleared by each tick: an idle tick with this unset stops the interval. */
  private addedSinceTick = false;
  private readonly tickBound = (): void => this.tick();

  constructor(
    private readonly onExpire: (entry: T) => void,
    private readonly tickMs = 10,
  ) {}

  /** Entries currently tracked. */
  get size(): number {
    return this.count;
  }

  /** True while the interval runs (entries exist, or did within the last tick or two). */
  get running(): boolean {
    return this.timer !== undefined;
  }

  add(entry: T): void {
    if (this.timer === undefined) {
      this.cursor = Math.floor(Date.now() / this.tickMs);
      this.timer = setInterval(this.tickBound, this.tickMs);
      this.timer.unref();
    }
    this.addedSinceTick = true;
    // Rounding up keeps expiry from ever firing before the deadline.
    let key = Math.ceil(entry.deadlineAt / this.tickMs);
    if (key <= this.cursor) key = this.cursor + 1;
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      bucket = [];
      this.buckets.set(key, bucket);
    }
    entry.wheelBucket = bucket;
    entry.wheelSlot = bucket.length;
    bucket.push(entry);
    this.count++;
  }

  /** Stops tracking `entry`; a no-op if it is not tracked (already expired or removed). */
  remove(entry: T): void {
    const bucket = entry.wheelBucket;
    if (bucket === undefined) return;
    const last = bucket.pop() as T;
    if (last !== entry) {
      bucket[entry.wheelSlot] = last;
      last.wheelSlot = entry.wheelSlot;
    }
    entry.wheelBucket = undefined;
    this.count--;
  }

  /** Forgets every entry without expiring any. */
  clear(): void {
    for (const bucket of this.buckets.values()) {
      for (const entry of bucket) entry.wheelBucket = undefined;
    }
    this.buckets.clear();
    this.count = 0;
    this.stop();
  }

  private stop(): void {
    if (this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    // Empty buckets are left behind by removals; with no entries they can all go.
    this.buckets.clear();
  }

  private tick(): void {
    const now = Math.floor(Date.now() / this.tickMs);
    while (this.cursor < now && this.timer !== undefined) {
      this.cursor++;
      const bucket = this.buckets.get(this.cursor);
      if (bucket === undefined) continue;
      this.buckets.delete(this.cursor);
      // Detach the whole bucket first: an onExpire that removes a neighbour must not
      // reshuffle the array under this loop. Owners ignore expiry of settled entries.
      for (const entry of bucket) entry.wheelBucket = undefined;
      this.count -= bucket.length;
      for (const entry of bucket) this.onExpire(entry);
    }
    if (this.count === 0 && !this.addedSinceTick) this.stop();
    this.addedSinceTick = false;
  }
}
