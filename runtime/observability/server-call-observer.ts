import { Code, RpcError } from "../errors.js";
import type { CallHandler, InterceptedCall, Interceptor } from "../interceptors/interceptor.js";
import type { Logger } from "../logger.js";
import type { MethodDescriptor } from "../descriptor.js";
import { burstNow, clockNow } from "./burst-clock.js";
import { okOutcome, outcomeOfError, rpcSystemOf, type CallOutcome } from "./call-outcome.js";
import type { SeriesTable } from "./metrics/rpc-metrics.js";
import type { CallTracer } from "./tracing/call-tracer.js";
import { traceIdOf, traceparentKey } from "./tracing/trace-context.js";
import type { Span } from "@opentelemetry/api";

/** What the server side observes, each part present only when turned on. */
export interface ServerObservers {
  readonly metrics: SeriesTable | undefined;
  readonly tracer: CallTracer | undefined;
  /** Set when failed calls are logged. */
  readonly log: Logger | undefined;
}

/** A call the dispatch ended before its handler, as dispatch.ts reports it. */
export interface RefusedCall {
  readonly method: MethodDescriptor | undefined;
  /** The wire name asked for (for an unknown method: only logged, never a label). */
  readonly fullName: string;
  readonly protocol: string;
  readonly peer: string;
  readonly metadata: Readonly<Record<string, string>> | undefined;
}

/**
 * The server's observing interceptor: times the call for the duration
 * histogram, runs it in a SERVER span, and logs it if it failed, in one
 * closure per call whatever is turned on (never made when nothing is).
 */
export function serverObservingInterceptor(observers: ServerObservers): Interceptor {
  const { metrics, tracer } = observers;
  return (next: CallHandler) => (call: InterceptedCall) => {
    const started = metrics === undefined ? 0 : burstNow();
    const system = rpcSystemOf(call.protocol!);
    const span = tracer === undefined ? undefined : tracer.startServer(call, system);
    const outcome = span === undefined ? next(call) : tracer!.within(span, next, call);
    return outcome.then(
      (value) => {
        const result = settledOutcome(call, okOutcome);
        if (metrics !== undefined) metrics.of(call.method, system).outcome(result.code, result.errorType).observe((clockNow() - started) / 1000);
        if (span !== undefined) tracer!.end(span, "server", system, result, undefined);
        if (result !== okOutcome) logFailure(observers, call, system, result, span);
        return value;
      },
      (error: unknown) => {
        const result = settledOutcome(call, outcomeOfError(call.method, error, Code.INTERNAL));
        if (metrics !== undefined) metrics.of(call.method, system).outcome(result.code, result.errorType).observe((clockNow() - started) / 1000);
        if (span !== undefined) tracer!.end(span, "server", system, result, error);
        logFailure(observers, call, system, result, span);
        throw error;
      },
    );
  };
}

/**
 * What the caller was told: the handler's outcome, unless the call had already
 * ended for the caller (deadline passed, cancelled, connection closed) while
 * the handler ran; then that reason.
 */
function settledOutcome(call: InterceptedCall, outcome: CallOutcome): CallOutcome {
  if ((call.context as { finished?: boolean } | undefined)?.finished !== true) return outcome;
  const reason: unknown = call.signal?.reason;
  return reason instanceof RpcError ? { code: reason.code, errorType: reason.code, declared: false } : outcome;
}

function logFailure(observers: ServerObservers, call: InterceptedCall, system: string, outcome: CallOutcome, span: Span | undefined): void {
  const log = observers.log;
  if (log === undefined) return;
  const traceId = (span === undefined ? undefined : observers.tracer!.traceIdOf(span)) ?? traceIdOf(call.metadata[traceparentKey]);
  log.info(
    { method: call.method.fullName, peer: call.peer, protocol: call.protocol, rpcSystem: system, code: outcome.code, errorType: outcome.errorType, traceId },
    "call failed",
  );
}

/**
 * Counts, traces and logs calls the dispatch refused before their handler
 * (unknown method, bad arguments, a guard's refusal, arrived late).
 */
export function recordRefusal(observers: ServerObservers, refused: RefusedCall, error: RpcError): void {
  const system = rpcSystemOf(refused.protocol);
  if (observers.metrics !== undefined) {
    const series = refused.method === undefined ? observers.metrics.unknown(system) : observers.metrics.of(refused.method, system);
    series.outcome(error.code, error.code).observe(0);
  }
  observers.tracer?.refused(refused.method, refused.fullName, system, refused.peer, refused.metadata, error);
  const log = observers.log;
  if (log !== undefined) {
    const traceparent = refused.metadata?.[traceparentKey];
    log.info(
      { method: refused.fullName.slice(0, 200), peer: refused.peer, protocol: refused.protocol, rpcSystem: system, code: error.code, traceId: traceIdOf(traceparent), err: error.message },
      "call refused",
    );
  }
}
