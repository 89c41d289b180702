import { cpuUsage, memoryUsage } from "node:process";

/** CPU time and peak RSS of this process over a measurement window. */
export interface WindowStats {
  cpuMicros: number;
  peakRssBytes: number;
  seconds: number;
}

/** RSS is sampled this often; a finer grain costs the server CPU it is being measured on. */
const rssSampleMs = 100;

/** Measures process.cpuUsage and sampled peak RSS between start() and stop(). */
export class ServerStats {
  private cpuAtStart = cpuUsage();
  private startedAt = performance.now();
  private peakRss = 0;
  private sampler: NodeJS.Timeout | undefined;

  start(): void {
    this.stopSampler();
    this.cpuAtStart = cpuUsage();
    this.startedAt = performance.now();
    this.peakRss = memoryUsage.rss();
    this.sampler = setInterval(() => {
      this.peakRss = Math.max(this.peakRss, memoryUsage.rss());
    }, rssSampleMs);
    this.sampler.unref();
  }

  stop(): WindowStats {
    this.stopSampler();
    const cpu = cpuUsage(this.cpuAtStart);
    return {
      cpuMicros: cpu.user + cpu.system,
      peakRssBytes: Math.max(this.peakRss, memoryUsage.rss()),
      seconds: (performance.now() - this.startedAt) / 1000,
    };
  }

  private stopSampler(): void {
    if (this.sampler !== undefined) clearInterval(this.sampler);
    this.sampler = undefined;
  }
}
