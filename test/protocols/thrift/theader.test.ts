/**
 * THeader (Apache Thrift's header transport and protocol) on rpcgen's port,
 * judged by Apache's own Python library (Debian's python3-thrift, its
 * THeaderProtocol) with `thrift --gen py` code: calls in binary and compact,
 * the info headers as the call's metadata (a W3C trace context that parents
 * the server span, a bearer token that authenticates), and zlib payloads.
 */
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { SpanKind } from "@opentelemetry/api";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { staticTokenAuthenticator, type ServerOptions } from "@rpcgen/runtime";
import { startCalculator, type RunningCalculator } from "./support/calculator-server.js";
import { calculatorIdl, generateApacheCode, runPythonScript, type ApacheGenerated } from "./support/apache-thrift-tools.js";

let generated: ApacheGenerated;
const running: RunningCalculator[] = [];

beforeAll(() => {
  generated = generateApacheCode("py", calculatorIdl);
});
afterAll(() => generated?.dispose());
afterEach(async () => {
  await Promise.all(running.splice(0).map((calculator) => calculator.close()));
});

async function calculator(options: ServerOptions = {}): Promise<RunningCalculator> {
  const started = await startCalculator(options);
  running.push(started);
  return started;
}

async function pythonHeaderClient(port: number, protocol: "binary" | "compact", ...extra: string[]): Promise<any> {
  return JSON.parse(await runPythonScript("theader_client.py", [generated.dir, String(port), protocol, ...extra]));
}

describe("THeader from Apache Thrift's Python client", () => {
  it.each(["binary", "compact"] as const)("%s payload: add, a declared exception, replies in THeader with the protocol and sequence id", async (protocol) => {
    const { port } = await calculator();
    const result = await pythonHeaderClient(port, protocol);
    expect(result.add).toBe(3);
    expect(result.divide).toEqual({ raised: "DivideByZero", dividend: 1, message: "cannot divide 1 by zero" });
    expect(result.addAfter).toBe(42);
    // The generated client numbers its calls 0, 0, 0 (it keeps seqid 0); the reply carries the request's.
    expect(result.replySeqid).toBe(0);
    expect(result.replyProtocol).toBe(protocol === "compact" ? 2 : 0);
  });

  it("a traceparent header becomes the parent of the server span", async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const { port } = await calculator({ observability: { tracing: { tracerProvider: provider } } });
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const parentId = "00f067aa0ba902b7";
    const result = await pythonHeaderClient(port, "compact", `traceparent=00-${traceId}-${parentId}-01`, "tracestate=vendor=x");
    expect(result.add).toBe(3);
    const spans = exporter.getFinishedSpans().filter((span) => span.kind === SpanKind.SERVER);
    expect(spans.map((span) => span.name)).toEqual(["Calculator/add", "Calculator/divide", "Calculator/add"]);
    for (const span of spans) {
      expect(span.spanContext().traceId).toBe(traceId);
      expect(span.parentSpanContext?.spanId).toBe(parentId);
      expect(span.parentSpanContext?.traceState?.get("vendor")).toBe("x");
      expect(span.attributes["rpc.system"]).toBe("apache_thrift");
    }
    await provider.shutdown();
  });

  it("an authorization header authenticates; without it the call is UNAUTHENTICATED", async () => {
    const { port } = await calculator({ auth: { authenticate: staticTokenAuthenticator(["s3cret"]) } });
    expect((await pythonHeaderClient(port, "binary", "Authorization=Bearer s3cret")).add).toBe(3);
    const refused = await pythonHeaderClient(port, "binary");
    expect(refused.applicationException.message).toMatch(/^UNAUTHENTICATED /);
  });

  it("zlib payloads (THeaderTransport.add_transform) are inflated; the replies come back untransformed", async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const { port } = await calculator({ observability: { tracing: { tracerProvider: provider } } });
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    const result = await pythonHeaderClient(port, "compact", "--zlib", `traceparent=00-${traceId}-b7ad6b7169203331-01`);
    expect(result.add).toBe(3);
    expect(result.divide).toEqual({ raised: "DivideByZero", dividend: 1, message: "cannot divide 1 by zero" });
    expect(result.addAfter).toBe(42);
    const spans = exporter.getFinishedSpans().filter((span) => span.kind === SpanKind.SERVER);
    expect(spans).toHaveLength(3);
    for (const span of spans) expect(span.spanContext().traceId).toBe(traceId);
    await provider.shutdown();
  });
});
