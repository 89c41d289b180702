/**
 * The observability cases (docs/OBSERVABILITY.md): metrics and tracing on the
 * server and the client of the small echo. "api": tracing through
 * @opentelemetry/api with no SDK registered (rpcgen's instrumentation and the
 * trace-context propagation, spans non-recording); "sdk": an SDK tracer
 * provider that records every span and drops it at the end (the SDK's own
 * span cost on top, no exporter). The server reads the mode from
 * RPCGEN_BENCH_OBSERVE, set by bench/run.ts before it forks the server.
 */
import { BasicTracerProvider, type SpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { ClientObservabilityOptions, ObservabilityOptions } from "@rpcgen/runtime";

export type ObserveMode = "api" | "sdk";

export const observeEnv = "RPCGEN_BENCH_OBSERVE";

const dropEverySpan: SpanProcessor = {
  onStart: () => {},
  onEnd: () => {},
  forceFlush: () => Promise.resolve(),
  shutdown: () => Promise.resolve(),
};

function tracing(mode: ObserveMode): ClientObservabilityOptions["tracing"] {
  return mode === "sdk" ? { tracerProvider: new BasicTracerProvider({ spanProcessors: [dropEverySpan] }) } : true;
}

/** The server's observability options for a mode, or undefined when observability is off. */
export function serverObservability(mode: string | undefined): ObservabilityOptions | undefined {
  if (mode !== "api" && mode !== "sdk") return undefined;
  return { metrics: true, tracing: tracing(mode) };
}

/** The client's, likewise. */
export function clientObservability(mode: ObserveMode): ClientObservabilityOptions {
  return { metrics: true, tracing: tracing(mode) };
}
