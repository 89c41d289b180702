/**
 * `--trace-log` of the calculator server: an OpenTelemetry SDK tracer provider
 * (@opentelemetry/sdk-trace-base) that writes each finished span as one JSON
 * line on stderr, `{"span":{traceId, spanId, parentSpanId, name, kind, attributes}}`,
 * so a trace can be followed from the shell (or a test) without a collector.
 */
import { BasicTracerProvider, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from "@opentelemetry/sdk-trace-base";

const stderrExporter: SpanExporter = {
  export(spans: ReadableSpan[], done) {
    for (const span of spans) {
      const context = span.spanContext();
      const line = {
        span: {
          traceId: context.traceId,
          spanId: context.spanId,
          parentSpanId: span.parentSpanContext?.spanId,
          name: span.name,
          kind: span.kind,
          attributes: span.attributes,
        },
      };
      process.stderr.write(`${JSON.stringify(line)}\n`);
    }
    done({ code: 0 });
  },
  shutdown: () => Promise.resolve(),
};

export function stderrTracerProvider(): BasicTracerProvider {
  return new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(stderrExporter)] });
}
