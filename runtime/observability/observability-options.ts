import type { MetricsOptions } from "./metrics/rpc-metrics.js";
import type { TracingOptions } from "./tracing/call-tracer.js";

/** What a Server observes and serves about itself (docs/OBSERVABILITY.md). */
export interface ObservabilityOptions {
  /**
   * Prometheus metrics with prom-client (loaded only when on): call counts and
   * durations per method and status code, connections, calls in flight, queued
   * reply bytes; served as `GET /metrics` on the service port. Default off.
   */
  metrics?: boolean | MetricsOptions;
  /**
   * A SERVER span per call with @opentelemetry/api (an optional peer
   * dependency, loaded only when on), child of the caller's span carried in the
   * `traceparent`/`tracestate` metadata. Default off.
   */
  tracing?: boolean | TracingOptions;
  /**
   * One log line (level info, through the server's `logger`) per failed or
   * refused call, with method, peer, code and trace id, and per connection
   * opened and closed. Default off.
   */
  logs?: boolean;
  /** The built-in `rpcgen.Reflection.describe` method and `GET /` listing the services. Default on. */
  reflection?: boolean;
  /**
   * Time between `close()` turning readiness to NOT_SERVING (`GET /health` 503)
   * and the server refusing new connections, so load balancers that poll
   * /health stop sending first; calls keep being served meanwhile. Default 0.
   */
  drainDelayMs?: number;
}
