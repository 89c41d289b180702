/**
 * Holds "park" calls until a target count is parked, then reports and releases
 * them all: the memory figure of a server with N calls in flight.
 */
export class ParkLot {
  private waiting: Array<() => void> = [];
  private target = Number.POSITIVE_INFINITY;
  private onFull: ((count: number) => void) | undefined;

  /** Arms the lot: once `count` calls wait, `onFull` runs, then every call is released. */
  expect(count: number, onFull: (count: number) => void): void {
    this.target = count;
    this.onFull = onFull;
  }

  /** Resolves when the lot releases this call. */
  park(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.waiting.push(resolve);
      if (this.waiting.length < this.target) return;
      const released = this.waiting;
      this.waiting = [];
      this.target = Number.POSITIVE_INFINITY;
      this.onFull?.(released.length);
      for (const release of released) release();
    });
  }
}
