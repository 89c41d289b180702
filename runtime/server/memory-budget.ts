/**
 * Bytes held by all the connections of a server together, as each last reported
 * its own share. Connections report after the events that change it (a flush, a
 * drain, a chunk parsed), so keeping the total costs an addition, not a scan.
 */
export class MemoryBudget {
  private total = 0;

  constructor(readonly limit: number) {}

  get used(): number {
    return this.total;
  }

  get exceeded(): boolean {
    return this.total > this.limit;
  }

  /** Replaces a connection's share `previous` by `now`; returns `now` for the caller to keep. */
  update(previous: number, now: number): number {
    this.total += now - previous;
    return now;
  }
}
