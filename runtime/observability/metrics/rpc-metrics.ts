import type { MethodDescriptor } from "../../descriptor.js";
import { CallHistogram, defaultDurationBuckets, type HistogramSeries } from "./call-histogram.js";
import { promClient, type PromRegistry } from "./prom-client-module.js";

/** What a server reports at each scrape (its connections and queued replies), read when scraped. */
export interface ServerGaugeSource {
  /** Open connections by protocol, and calls in flight on them by protocol. */
  connections(): Iterable<{ readonly protocol: string; readonly inFlight: number }>;
  /** Reply bytes queued and not yet taken by the kernel. */
  queuedReplyBytes(): number;
  /** 1 while the server's health is SERVING. */
  serving(): boolean;
}

/** Options of metrics. */
export interface MetricsOptions {
  /** Where the metrics live; default prom-client's global `register`. */
  registry?: PromRegistry;
  /** Upper bounds, in seconds, of the call duration buckets. */
  buckets?: readonly number[];
}

const perRegistry = new WeakMap<PromRegistry, RpcMetrics>();

/**
 * The RPC metrics of one prom-client Registry, named after OpenTelemetry's RPC
 * semantic conventions as exported to Prometheus: `rpc_server_duration_seconds`
 * and `rpc_client_duration_seconds` histograms labelled rpc_system, rpc_service,
 * rpc_method, rpc_response_status_code (and error_type on failures), plus the
 * servers' connections, calls in flight and queued reply bytes. Every server
 * and client of a process that uses the same registry shares one instance.
 */
export class RpcMetrics {
  readonly serverDuration: CallHistogram;
  readonly clientDuration: CallHistogram;
  private readonly sources = new Set<WeakRef<ServerGaugeSource>>();

  private constructor(readonly registry: PromRegistry, buckets: readonly number[]) {
    const prom = promClient();
    this.serverDuration = new CallHistogram("rpc_server_duration_seconds", "Duration of calls served, from dispatch to outcome (OpenTelemetry rpc.server.duration).", buckets);
    this.clientDuration = new CallHistogram("rpc_client_duration_seconds", "Duration of calls made, as the caller saw them (OpenTelemetry rpc.client.duration).", buckets);
    registry.registerMetric(this.serverDuration as never);
    registry.registerMetric(this.clientDuration as never);
    const sources = (): ServerGaugeSource[] => this.liveSources();
    new prom.Gauge({
      name: "rpc_server_connections",
      help: "Open connections of the server port, by protocol (unknown: the first bytes have not told yet).",
      labelNames: ["protocol"],
      registers: [registry],
      collect() {
        this.reset();
        for (const source of sources()) for (const connection of source.connections()) this.inc({ protocol: connection.protocol });
      },
    });
    new prom.Gauge({
      name: "rpc_server_active_calls",
      help: "Calls in flight on the server (running, or held waiting for room), by the protocol of their connection.",
      labelNames: ["protocol"],
      registers: [registry],
      collect() {
        this.reset();
        for (const source of sources()) {
          for (const connection of source.connections()) if (connection.inFlight > 0) this.inc({ protocol: connection.protocol }, connection.inFlight);
        }
      },
    });
    new prom.Gauge({
      name: "rpc_server_queued_reply_bytes",
      help: "Reply bytes queued by the server and not yet taken by the kernel.",
      registers: [registry],
      collect() {
        this.set(sources().reduce((sum, source) => sum + source.queuedReplyBytes(), 0));
      },
    });
    new prom.Gauge({
      name: "rpc_server_serving",
      help: "1 while every server in the process reports SERVING on /health, 0 while one is not ready or draining.",
      registers: [registry],
      collect() {
        const all = sources();
        this.set(all.length > 0 && all.every((source) => source.serving()) ? 1 : 0);
      },
    });
  }

  /** The metrics of `options.registry` (prom-client's global registry by default), made on first use. */
  static of(options: MetricsOptions = {}): RpcMetrics {
    const registry = options.registry ?? promClient().register;
    let metrics = perRegistry.get(registry);
    if (metrics === undefined) {
      metrics = new RpcMetrics(registry, options.buckets ?? defaultDurationBuckets);
      perRegistry.set(registry, metrics);
    }
    return metrics;
  }

  /** Adds a server's gauges; held weakly, so a server that is gone drops out. */
  addServer(source: ServerGaugeSource): void {
    this.sources.add(new WeakRef(source));
  }

  /** The Prometheus text of every metric of the registry, and its content type. */
  async exposition(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }

  private liveSources(): ServerGaugeSource[] {
    const live: ServerGaugeSource[] = [];
    for (const ref of this.sources) {
      const source = ref.deref();
      if (source === undefined) this.sources.delete(ref);
      else live.push(source);
    }
    return live;
  }
}

/** Label value for calls to methods the server does not have: never the name itself, so labels stay bounded. */
export const otherLabel = "_OTHER";

/**
 * The histogram series of each method (per rpc.system) and outcome, found once
 * and kept: per call, a map lookup by descriptor and a compare.
 */
export class SeriesTable {
  private readonly byMethod = new Map<MethodDescriptor, MethodSeries>();
  /** The last method asked for and its series: calls of one method often come in runs. */
  private lastMethod: MethodDescriptor | undefined;
  private lastSeries: MethodSeries | undefined;

  constructor(private readonly histogram: CallHistogram) {}

  of(method: MethodDescriptor, system: string): MethodSeries {
    if (method === this.lastMethod && this.lastSeries!.system === system) return this.lastSeries!;
    let series = this.byMethod.get(method);
    while (series !== undefined && series.system !== system) series = series.next;
    if (series === undefined) {
      series = new MethodSeries(this.histogram, system, method.service, method.name, this.byMethod.get(method));
      this.byMethod.set(method, series);
    }
    this.lastMethod = method;
    this.lastSeries = series;
    return series;
  }

  /** The series of a call to a method that does not exist. */
  unknown(system: string): MethodSeries {
    return this.other.get(system) ?? this.makeOther(system);
  }

  private readonly other = new Map<string, MethodSeries>();

  private makeOther(system: string): MethodSeries {
    const made = new MethodSeries(this.histogram, system, otherLabel, otherLabel, undefined);
    this.other.set(system, made);
    return made;
  }
}

/** The series of one method over one rpc.system: OK at hand once made, the others by outcome. */
export class MethodSeries {
  private ok: HistogramSeries | undefined;
  private readonly failed = new Map<string, HistogramSeries>();

  constructor(
    private readonly histogram: CallHistogram,
    readonly system: string,
    private readonly service: string,
    private readonly method: string,
    /** The same method's series for another rpc.system. */
    readonly next: MethodSeries | undefined,
  ) {}

  outcome(code: string, errorType: string | undefined): HistogramSeries {
    if (code === "OK") {
      return (this.ok ??= this.histogram.seriesFor({ rpc_system: this.system, rpc_service: this.service, rpc_method: this.method, rpc_response_status_code: "OK", error_type: undefined }));
    }
    const key = `${code}\0${errorType ?? ""}`;
    let series = this.failed.get(key);
    if (series === undefined) {
      series = this.histogram.seriesFor({ rpc_system: this.system, rpc_service: this.service, rpc_method: this.method, rpc_response_status_code: code, error_type: errorType });
      this.failed.set(key, series);
    }
    return series;
  }
}
