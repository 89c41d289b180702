import { Code, RpcError } from "../errors.js";
import type { CallHandler, InterceptedCall, Interceptor } from "../interceptors/interceptor.js";
import { invokeHandler, type ServerCallView } from "../interceptors/server-call-view.js";
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
 * histogram, runs it in a SERVER span, and logs it if it failed (never made
 * when nothing is turned on).
 *
 * Outermost in the dispatch (server.ts puts it first), so its caller is the
 * dispatch, which answers a plain value at once. When nothing runs inside it
 * but the handler (`next` is `invokeHandler`) and the call has no span to run
 * in, it calls the handler itself and books a plain value on the spot: no
 * promise, no `then`, no microtask; only a handler's promise is awaited.
 */
export function serverObservingInterceptor(observers: ServerObservers): Interceptor {
  const { metrics, tracer } = observers;

  const succeeded = (call: InterceptedCall, system: string, started: number, span: Span | undefined): void => {
    const result = settledOutcome(call, okOutcome);
    if (metrics !== undefined) metrics.of(call.method, system).outcome(result.code, result.errorType).observe((clockNow() - started) / 1000);
    if (span !== undefined) tracer!.end(span, "server", system, result, undefined);
    if (result !== okOutcome) logFailure(observers, call, system, result, span);
  };
  const failed = (call: InterceptedCall, system: string, started: number, span: Span | undefined, error: unknown): void => {
    const result = settledOutcome(call, outcomeOfError(call.method, error, Code.INTERNAL));
    if (metrics !== undefined) metrics.of(call.method, system).outcome(result.code, result.errorType).observe((clockNow() - started) / 1000);
    if (span !== undefined) tracer!.end(span, "server", system, result, error);
    logFailure(observers, call, system, result, span);
  };
  const awaited = (outcome: Promise<unknown>, call: InterceptedCall, system: string, started: number, span: Span | undefined): Promise<unknown> =>
    outcome.then(
      (value) => {
        succeeded(call, system, started, span);
        return value;
      },
      (error: unknown) => {
        failed(call, system, started, span, error);
        throw error;
      },
    );

  return (next: CallHandler) => {
    const handlerInside = next === invokeHandler;
    return (call: InterceptedCall) => {
      const started = metrics === undefined ? 0 : burstNow();
      const system = rpcSystemOf(call.protocol!);
      const span = tracer === undefined ? undefined : tracer.startServer(call, system);
      if (span !== undefined) return awaited(tracer!.within(span, next, call), call, system, started, span);
      if (!handlerInside) return awaited(next(call), call, system, started, undefined);
      const { registered, context } = call as ServerCallView;
      let value: unknown;
      try {
        value = registered.invoke(call.args, context!);
      } catch (error) {
        // The dispatch answers a handler's throw as the failure it is.
        failed(call, system, started, undefined, error);
        throw error;
      }
      if (isPromiseLike(value)) return awaited(Promise.resolve(value), call, system, started, undefined);
      succeeded(call, system, started, undefined);
      // A plain value, handed to the dispatch (the chain's only caller), which answers it at once.
      return value as Promise<unknown>;
    };
  };
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null | undefined)?.then === "function";
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
