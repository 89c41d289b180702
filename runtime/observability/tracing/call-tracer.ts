import type { Attributes, Context, ProxyTracerProvider, Span, SpanContext, SpanOptions, Tracer, TracerProvider } from "@opentelemetry/api";
import type { MethodDescriptor } from "../../descriptor.js";
import { Code, type RpcError } from "../../errors.js";
import type { CallHandler, InterceptedCall } from "../../interceptors/interceptor.js";
import { grpcStatusOf } from "../../protocols/grpc/grpc-status.js";
import type { CallOutcome } from "../call-outcome.js";
import { otelApi, type OtelApiModule } from "./otel-api.js";
import { extractSpanContext, injectSpanContext } from "./trace-context.js";

/** Options of tracing. */
export interface TracingOptions {
  /**
   * Where spans go: any OpenTelemetry TracerProvider. Default: the global one
   * (`trace.getTracerProvider()`), i.e. whatever SDK the application registered;
   * with none registered, spans are non-recording and cost next to nothing.
   */
  tracerProvider?: { getTracer(name: string, version?: string): unknown };
}

/** Server-side codes that mark a span as an error (OpenTelemetry's gRPC conventions); on a client, every code but OK does. */
const serverErrorCodes = new Set<string>([Code.UNKNOWN, Code.DEADLINE_EXCEEDED, Code.UNIMPLEMENTED, Code.INTERNAL, Code.UNAVAILABLE, Code.DATA_LOSS]);
/** rpc.method (and span name) of a call to a method the server does not have: names sent by clients are not bounded. */
const otherMethod = "_OTHER";
const noMetadata: Readonly<Record<string, string>> = Object.freeze({});

/** Span name and start attributes of a method over one rpc.system, made once. */
interface SpanTemplate {
  readonly system: string;
  readonly name: string;
  /** startSpan's options (kind and the rpc.* attributes), for each side. */
  readonly server: SpanOptions;
  readonly client: SpanOptions;
  /** The same method's template for another rpc.system. */
  readonly next: SpanTemplate | undefined;
}

/**
 * Spans of calls, per OpenTelemetry's RPC semantic conventions: one per call,
 * named `<service>/<method>`, kind SERVER or CLIENT, with rpc.system,
 * rpc.service, rpc.method, the peer, and at the end rpc.response.status_code
 * (and rpc.grpc.status_code for gRPC) and error.type. The W3C trace context
 * travels in the call's metadata (`traceparent`, `tracestate`).
 *
 * With no SDK registered behind the global provider, a call with no trace
 * context to carry gets no span at all, and one that carries a context gets a
 * non-recording placeholder that passes it on: tracing left on costs next to
 * nothing until an SDK is registered.
 */
export class CallTracer {
  readonly api: OtelApiModule;
  private readonly tracer: Tracer;
  private readonly templates = new Map<MethodDescriptor, SpanTemplate>();
  private lastMethod: MethodDescriptor | undefined;
  private lastTemplate: SpanTemplate | undefined;
  // The API's exports are getters: what every call uses is read once.
  private readonly contextApi: OtelApiModule["context"];
  private readonly traceApi: OtelApiModule["trace"];
  private readonly rootContext: Context;
  private readonly invalidSpanContext: SpanContext;
  private readonly serverStart: SpanOptions;
  private readonly clientStart: SpanOptions;
  /** The global provider (a proxy) when spans go there, and the no-op provider it delegates to without an SDK. */
  private readonly globalProxy: ProxyTracerProvider | undefined;
  private readonly noopProvider: TracerProvider | undefined;

  constructor(options: TracingOptions = {}) {
    const api = otelApi();
    this.api = api;
    this.contextApi = api.context;
    this.traceApi = api.trace;
    this.rootContext = api.ROOT_CONTEXT;
    this.invalidSpanContext = api.INVALID_SPAN_CONTEXT;
    this.serverStart = { kind: api.SpanKind.SERVER };
    this.clientStart = { kind: api.SpanKind.CLIENT };
    const provider = options.tracerProvider ?? api.trace;
    this.tracer = provider.getTracer("rpcgen", "0.1.0") as Tracer;
    if (options.tracerProvider === undefined) {
      const global = api.trace.getTracerProvider();
      // A ProxyTracerProvider with nothing behind it hands out the API's no-op provider (a singleton).
      this.noopProvider = new api.ProxyTracerProvider().getDelegate();
      this.globalProxy = global instanceof api.ProxyTracerProvider ? global : undefined;
    }
  }

  /**
   * A SERVER span, child of the caller's span when the metadata carries one; or
   * undefined when no SDK is registered and there is no trace to carry (the
   * usual state of a process that has tracing on but no backend yet).
   */
  startServer(call: InterceptedCall, system: string): Span | undefined {
    const remote = extractSpanContext(this.api, call.metadata);
    if (remote === undefined && this.noBackend()) return undefined;
    const parent = remote === undefined ? this.rootContext : this.traceApi.setSpanContext(this.rootContext, remote);
    const template = this.template(call.method, system);
    const span = this.tracer.startSpan(template.name, template.server, parent);
    if (span.isRecording() && call.peer !== undefined) setPeer(span, call.peer);
    return span;
  }

  /**
   * The SERVER span of a call the dispatch refused before its handler
   * (authentication, arguments, unknown method, deadline, a limit): started and
   * ended at once, child of the caller's span as an accepted call's would be,
   * status ERROR whatever the code (the server itself turned the call away, and
   * this span is the only trace of it), with the code as
   * rpc.response.status_code and error.type. A method the server does not have
   * is `_OTHER`, the name asked for in rpc.method_original.
   */
  refused(method: MethodDescriptor | undefined, fullName: string, system: string, peer: string, metadata: Readonly<Record<string, string>> | undefined, error: RpcError): void {
    const remote = extractSpanContext(this.api, metadata ?? noMetadata);
    if (remote === undefined && this.noBackend()) return;
    const parent = remote === undefined ? this.rootContext : this.traceApi.setSpanContext(this.rootContext, remote);
    let span: Span;
    if (method === undefined) {
      span = this.tracer.startSpan(otherMethod, { kind: this.serverStart.kind, attributes: { "rpc.system": system, "rpc.method": otherMethod } }, parent);
    } else {
      const template = this.template(method, system);
      span = this.tracer.startSpan(template.name, template.server, parent);
    }
    if (span.isRecording()) {
      if (method === undefined) span.setAttribute("rpc.method_original", fullName.slice(0, 200));
      setPeer(span, peer);
      span.setAttribute("rpc.response.status_code", error.code);
      if (system === "grpc") span.setAttribute("rpc.grpc.status_code", grpcStatusOf[error.code]);
      span.setAttribute("error.type", error.code);
      span.setStatus({ code: this.api.SpanStatusCode.ERROR, message: error.message });
    }
    span.end();
  }

  /**
   * A CLIENT span, child of the active span, its context written into the
   * call's metadata; undefined when no SDK is registered and no span is active.
   */
  startClient(call: InterceptedCall, system: string): Span | undefined {
    const parent = this.contextApi.active();
    if (parent === this.rootContext && this.noBackend()) return undefined;
    const template = this.template(call.method, system);
    const span = this.tracer.startSpan(template.name, template.client, parent);
    const spanContext = span.spanContext();
    if (spanContext !== this.invalidSpanContext && this.api.isSpanContextValid(spanContext)) injectSpanContext(spanContext, call.metadata);
    return span;
  }

  /** Runs the rest of the call with `span` active (what the handler, or nested clients, see). */
  within(span: Span, next: CallHandler, call: InterceptedCall): Promise<unknown> {
    // A placeholder span with no trace to carry has nothing for the code inside to see.
    if (span.spanContext() === this.invalidSpanContext && !span.isRecording()) return next(call);
    return this.contextApi.with(this.traceApi.setSpan(this.contextApi.active(), span), next, undefined, call);
  }

  /**
   * True when spans go to the global provider and no SDK is registered behind
   * it: every span would be a placeholder. Checked per call (an SDK may be
   * registered at any time); one method call.
   */
  private noBackend(): boolean {
    return this.globalProxy !== undefined && this.globalProxy.getDelegate() === this.noopProvider;
  }

  private template(method: MethodDescriptor, system: string): SpanTemplate {
    const last = this.lastTemplate;
    if (last !== undefined && this.lastMethod === method && last.system === system) return last;
    let template = this.templates.get(method);
    while (template !== undefined && template.system !== system) template = template.next;
    if (template !== undefined) {
      this.lastMethod = method;
      this.lastTemplate = template;
      return template;
    }
    const attributes: Attributes = Object.freeze({ "rpc.system": system, "rpc.service": method.service, "rpc.method": method.name });
    const made: SpanTemplate = {
      system,
      name: `${method.service}/${method.name}`,
      server: { ...this.serverStart, attributes },
      client: { ...this.clientStart, attributes },
      next: this.templates.get(method),
    };
    this.templates.set(method, made);
    return made;
  }

  /** Ends a span with the call's outcome. */
  end(span: Span, side: "client" | "server", system: string, outcome: CallOutcome, thrown: unknown): void {
    if (!span.isRecording()) {
      span.end();
      return;
    }
    span.setAttribute("rpc.response.status_code", outcome.code);
    if (system === "grpc") span.setAttribute("rpc.grpc.status_code", outcome.code === "OK" ? 0 : grpcStatusOf[outcome.code]);
    if (outcome.code !== "OK") {
      span.setAttribute("error.type", outcome.errorType ?? outcome.code);
      if (side === "client" || serverErrorCodes.has(outcome.code)) {
        const message = thrown instanceof Error ? thrown.message : undefined;
        span.setStatus(message === undefined ? { code: this.api.SpanStatusCode.ERROR } : { code: this.api.SpanStatusCode.ERROR, message });
      }
      // An undeclared failure stays on the server: the span is where it can be seen.
      if (side === "server" && !outcome.declared && thrown instanceof Error) span.recordException(thrown);
    }
    span.end();
  }

  /** The trace id of a span, or undefined for an invalid (untraced) one. */
  traceIdOf(span: Span): string | undefined {
    const context = span.spanContext();
    return this.api.isSpanContextValid(context) ? context.traceId : undefined;
  }
}

/** network.peer.* of a `host:port` or `[v6]:port` peer. */
function setPeer(span: Span, peer: string): void {
  const colon = peer.lastIndexOf(":");
  const bracketed = peer.startsWith("[");
  span.setAttribute("network.peer.address", peer.slice(bracketed ? 1 : 0, bracketed ? colon - 1 : colon));
  span.setAttribute("network.peer.port", Number(peer.slice(colon + 1)));
}
