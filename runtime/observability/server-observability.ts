import type { MethodTable } from "../dispatch-contract.js";
import type { Interceptor } from "../interceptors/interceptor.js";
import type { Logger } from "../logger.js";
import type { DispatchObserver } from "../server/dispatch.js";
import type { MemoryBudget } from "../server/memory-budget.js";
import type { ServedConnection } from "../server/served-connection.js";
import { BuiltinMethodTable } from "./builtin-method-table.js";
import { HealthState } from "./health/health-state.js";
import { servedServiceName } from "./health/service-names.js";
import { RpcMetrics, SeriesTable, type ServerGaugeSource } from "./metrics/rpc-metrics.js";
import type { ObservabilityOptions } from "./observability-options.js";
import { reflectionMethods } from "./reflection/reflection-service.js";
import { recordRefusal, serverObservingInterceptor, type ServerObservers } from "./server-call-observer.js";
import { CallTracer } from "./tracing/call-tracer.js";

/** What the server shows its observability: its connections and its reply budget. */
export interface ServerInternals {
  readonly connections: Iterable<ServedConnection>;
  readonly replyBudget: MemoryBudget;
}

/**
 * Everything a Server observes and serves about itself: its health (always),
 * metrics, tracing and call logs (each only when turned on, so a server without
 * them pays nothing per call), and reflection. One per Server, reachable from
 * every connection as `env.observability` and by the application as
 * `server.observability`.
 */
export class ServerObservability {
  readonly health: HealthState;
  /** The Prometheus metrics, when on. */
  readonly metrics: RpcMetrics | undefined;
  readonly reflection: boolean;
  /** Interceptors to run outermost in the dispatch: none when nothing per call is observed. */
  readonly interceptors: readonly Interceptor[];
  /** For the dispatch, when refused calls are counted or logged. */
  readonly dispatchObserver: DispatchObserver | undefined;
  private readonly observers: ServerObservers;
  private readonly logConnections: boolean;
  private readonly drainDelayMs: number;
  private gaugeSource: ServerGaugeSource | undefined;
  /** The user's services, once the server hands them over (methodTable). */
  private table: MethodTable | undefined;

  constructor(
    options: ObservabilityOptions,
    private readonly logger: Logger,
  ) {
    this.health = new HealthState((service) => (this.table === undefined ? undefined : servedServiceName(this.table, service)));
    this.metrics = options.metrics ? RpcMetrics.of(options.metrics === true ? {} : options.metrics) : undefined;
    const tracer = options.tracing ? new CallTracer(options.tracing === true ? {} : options.tracing) : undefined;
    this.observers = {
      metrics: this.metrics === undefined ? undefined : new SeriesTable(this.metrics.serverDuration),
      tracer,
      log: options.logs === true ? logger : undefined,
    };
    const perCall = this.observers.metrics !== undefined || tracer !== undefined || this.observers.log !== undefined;
    this.interceptors = perCall ? [serverObservingInterceptor(this.observers)] : [];
    const observers = this.observers;
    // Called only for refused calls: an accepted call costs the same with it or without.
    this.dispatchObserver = perCall
      ? {
          refused: (method, fullName, protocol, peer, error, metadata) => recordRefusal(observers, { method, fullName, protocol, peer, metadata }, error),
        }
      : undefined;
    this.reflection = options.reflection ?? true;
    this.logConnections = options.logs === true;
    const delay = options.drainDelayMs ?? 0;
    if (!(typeof delay === "number" && delay >= 0 && Number.isFinite(delay))) {
      throw new TypeError(`observability option drainDelayMs must be zero or a positive number, got ${String(delay)}`);
    }
    this.drainDelayMs = delay;
  }

  /** The method table the dispatch looks methods up in: the user's, with the built-in ones behind it. */
  methodTable(table: MethodTable): MethodTable {
    this.table = table;
    return this.reflection ? new BuiltinMethodTable(table, reflectionMethods(table)) : table;
  }

  /** Gives the metrics the server's connections and reply budget, read at each scrape. */
  attach(internals: ServerInternals): void {
    if (this.metrics === undefined) return;
    const health = this.health;
    this.gaugeSource = {
      connections: () => internals.connections,
      queuedReplyBytes: () => internals.replyBudget.used,
      serving: () => health.serving,
    };
    this.metrics.addServer(this.gaugeSource);
  }

  connectionOpened(connection: ServedConnection): void {
    if (this.logConnections) this.logger.info({ peer: connection.peer, protocol: connection.protocol }, "connection opened");
  }

  connectionClosed(connection: ServedConnection): void {
    if (this.logConnections) {
      this.logger.info({ peer: connection.peer, protocol: connection.protocol, openMs: Date.now() - connection.openedAt }, "connection closed");
    }
  }

  /**
   * The start of graceful shutdown: readiness turns NOT_SERVING at once, then,
   * after `drainDelayMs` (during which the server serves as before), `shutdown`
   * runs. Without a delay, `shutdown` starts synchronously.
   */
  beginShutdown(shutdown: () => Promise<void>): Promise<void> {
    this.health.markShuttingDown();
    const stop = (): Promise<void> => {
      const stopped = shutdown();
      // After shutdown began (connections told to drain): health watches end now rather than hold the drain back.
      this.health.markClosing();
      return stopped;
    };
    if (this.drainDelayMs === 0) return stop();
    this.logger.info({ drainDelayMs: this.drainDelayMs }, "not ready: draining before shutdown");
    return new Promise<void>((resolve) => setTimeout(resolve, this.drainDelayMs)).then(stop);
  }
}
