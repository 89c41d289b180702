import type { Span } from "@opentelemetry/api";
import { Code } from "../errors.js";
import type { CallHandler, InterceptedCall, Interceptor } from "../interceptors/interceptor.js";
import type { Logger } from "../logger.js";
import { burstNow } from "./burst-clock.js";
import { okOutcome, outcomeOfError, type CallOutcome } from "./call-outcome.js";
import { RpcMetrics, SeriesTable, type MetricsOptions } from "./metrics/rpc-metrics.js";
import { CallTracer, type TracingOptions } from "./tracing/call-tracer.js";
import { traceIdOf, traceparentKey } from "./tracing/trace-context.js";

/** What a client observes of its calls (docs/OBSERVABILITY.md). */
export interface ClientObservabilityOptions {
  /** `rpc_client_duration_seconds` per method and status code (prom-client, loaded only when on). Default off. */
  metrics?: boolean | MetricsOptions;
  /** A CLIENT span per call, its context sent as `traceparent`/`tracestate` metadata (@opentelemetry/api, loaded only when on). Default off. */
  tracing?: boolean | TracingOptions;
  /** When set, one line (level info) per failed call, with method, code and trace id. */
  logger?: Logger;
  /** `rpc.system` of the invoker it wraps. Default "rpcgen" (a Channel); "resp" for a RespChannel. */
  system?: string;
}

/**
 * The client's observing interceptor, for `withInterceptors`:
 *
 * ```ts
 * const calc = new CalculatorClient(withInterceptors(channel, observeClient({ metrics: true, tracing: true })));
 * ```
 *
 * Put it first, so that it sees the call as the caller does (with retries of a
 * cluster invoker inside it) and so its trace context reaches the server.
 */
export function observeClient(options: ClientObservabilityOptions): Interceptor {
  const system = options.system ?? "rpcgen";
  const metrics = options.metrics ? new SeriesTable(RpcMetrics.of(options.metrics === true ? {} : options.metrics).clientDuration) : undefined;
  const tracer = options.tracing ? new CallTracer(options.tracing === true ? {} : options.tracing) : undefined;
  const log = options.logger;
  if (metrics === undefined && tracer === undefined && log === undefined) return (next) => next;

  const finish = (call: InterceptedCall, started: number, span: Span | undefined, outcome: CallOutcome, thrown: unknown): void => {
    if (metrics !== undefined) metrics.of(call.method, system).outcome(outcome.code, outcome.errorType).observe((burstNow() - started) / 1000);
    if (span !== undefined) tracer!.end(span, "client", system, outcome, thrown);
    if (log !== undefined && outcome !== okOutcome) {
      const traceId = (span === undefined ? undefined : tracer!.traceIdOf(span)) ?? traceIdOf(call.metadata[traceparentKey]);
      log.info({ method: call.method.fullName, rpcSystem: system, code: outcome.code, errorType: outcome.errorType, traceId }, "call failed");
    }
  };

  // Both ends of a client call are read from the burst clock: a call starts in
  // the turn its caller issued it, and ends in the turn its reply was read
  // (its outcome always reaches `then` in a later turn than its start).
  return (next: CallHandler) => (call: InterceptedCall) => {
    const started = metrics === undefined ? 0 : burstNow();
    const span = tracer === undefined ? undefined : tracer.startClient(call, system);
    const outcome = span === undefined ? next(call) : tracer!.within(span, next, call);
    return outcome.then(
      (value) => {
        finish(call, started, span, okOutcome, undefined);
        return value;
      },
      (error: unknown) => {
        finish(call, started, span, outcomeOfError(call.method, error, Code.UNKNOWN), error);
        throw error;
      },
    );
  };
}
