import { BroadcastChannel } from "node:worker_threads";
import { type Report, reportChannelName } from "./fixtures/work-handlers.js";

/** Hears what handlers in worker threads report (see work-handlers.ts); close it when done. */
export class ReportListener {
  private readonly channel = new BroadcastChannel(reportChannelName);
  private readonly seen: Report[] = [];
  private readonly waiters: Array<{ tag: string; resolve: (report: Report) => void }> = [];

  constructor() {
    this.channel.onmessage = (event) => {
      const report = (event as { data: Report }).data;
      this.seen.push(report);
      for (const waiter of this.waiters.filter((w) => w.tag === report.tag)) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve(report);
      }
    };
  }

  /** The report of the handler tagged `tag`, or a rejection after `timeoutMs`. */
  next(tag: string, timeoutMs: number): Promise<Report> {
    const already = this.seen.find((report) => report.tag === tag);
    if (already !== undefined) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no report from the handler tagged ${tag} within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push({
        tag,
        resolve: (report) => {
          clearTimeout(timer);
          resolve(report);
        },
      });
    });
  }

  close(): void {
    this.channel.close();
  }
}
