/** The label values of one series of a call histogram, in `callLabelNames` order. */
export interface CallLabels {
  readonly rpc_system: string;
  readonly rpc_service: string;
  readonly rpc_method: string;
  readonly rpc_response_status_code: string;
  /** Absent for calls that succeeded; the code, or the declared exception's name, otherwise. */
  readonly error_type: string | undefined;
}

/** Upper bounds (seconds) of the call duration buckets: from 100 µs (a loopback call) to 10 s. */
export const defaultDurationBuckets: readonly number[] = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** One labelled series: counts per bucket (the last is +Inf), the sum and the count. */
export class HistogramSeries {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: CallLabels,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(seconds: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && seconds > bounds[i]!) i++;
    this.counts[i]! += 1;
    this.sum += seconds;
    this.count += 1;
  }
}

interface PromValue {
  value: number;
  labels: Record<string, string | number>;
  metricName: string;
}

/**
 * A Prometheus histogram of call durations, registered in a prom-client
 * Registry as a metric of its own: prom-client writes it out with the others,
 * but an observation is a few array writes on a series the caller keeps,
 * instead of prom-client's per-observation label hashing and validation (the
 * server records every call, a few hundred thousand a second).
 */
export class CallHistogram {
  readonly type = "histogram";
  readonly aggregator = "sum";
  private readonly series = new Map<string, HistogramSeries>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[] = defaultDurationBuckets,
  ) {}

  /** The series of `labels`, made on first use; callers keep it and observe into it directly. */
  seriesFor(labels: CallLabels): HistogramSeries {
    const key = `${labels.rpc_system}\0${labels.rpc_service}\0${labels.rpc_method}\0${labels.rpc_response_status_code}\0${labels.error_type ?? ""}`;
    let series = this.series.get(key);
    if (series === undefined) {
      series = new HistogramSeries(labels, this.buckets);
      this.series.set(key, series);
    }
    return series;
  }

  /** prom-client's view of the metric (Registry.metrics() and getMetricsAsJSON() call it). */
  get(): { name: string; help: string; type: "histogram"; values: PromValue[]; aggregator: "sum" } {
    const values: PromValue[] = [];
    for (const series of this.series.values()) {
      const labels: Record<string, string> = {
        rpc_system: series.labels.rpc_system,
        rpc_service: series.labels.rpc_service,
        rpc_method: series.labels.rpc_method,
        rpc_response_status_code: series.labels.rpc_response_status_code,
      };
      if (series.labels.error_type !== undefined) labels["error_type"] = series.labels.error_type;
      let cumulative = 0;
      for (let i = 0; i <= this.buckets.length; i++) {
        cumulative += series.counts[i]!;
        const le = i < this.buckets.length ? this.buckets[i]! : "+Inf";
        values.push({ value: cumulative, labels: { ...labels, le }, metricName: `${this.name}_bucket` });
      }
      values.push({ value: series.sum, labels, metricName: `${this.name}_sum` });
      values.push({ value: series.count, labels, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: "histogram", values, aggregator: "sum" };
  }

  /** Registry.resetMetrics() calls it: every series back to zero (callers keep their series). */
  reset(): void {
    for (const series of this.series.values()) {
      series.counts.fill(0);
      series.sum = 0;
      series.count = 0;
    }
  }
}
