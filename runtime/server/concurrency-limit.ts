/**
 * Runs at most `limit` tasks at once; later ones wait in arrival order. The
 * server uses one for gzip inflates, so that however many connections send
 * compressed bodies, the memory of inflated output and the libuv thread pool
 * stay bounded.
 */
export class ConcurrencyLimit {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await task();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}
