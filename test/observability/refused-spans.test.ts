/**
 * Calls the dispatch refuses before their handler (no credentials, a method the
 * server does not have, arguments that do not check) still get one SERVER span
 * each, status ERROR with the refusal's code, over every protocol, joined to
 * the caller's trace when the call carried one; and are still counted.
 */
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { Channel, RespChannel, ThriftChannel, silentLogger, staticTokenAuthenticator, type Interceptor, type Invoker, type ServerOptions } from "@rpcgen/runtime";
import { CalculatorClient, CalculatorService } from "../../examples/calculator/gen/calculator.js";
import { Cleanup, httpGet, sample, startCalculator } from "./support.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

type Protocol = "rpcgen" | "resp" | "thrift";
const systemOf = { rpcgen: "rpcgen", resp: "resp", thrift: "apache_thrift" } as const;

async function tracedCalculator(options: ServerOptions = {}) {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  cleanup.add(() => provider.shutdown());
  const registry = new Registry();
  const running = await startCalculator(cleanup, { ...options, observability: { tracing: { tracerProvider: provider }, metrics: { registry } } });
  return { ...running, serverSpans: () => exporter.getFinishedSpans().filter((span) => span.kind === SpanKind.SERVER) };
}

function invokerOf(protocol: Protocol, port: number): Invoker {
  const invoker =
    protocol === "rpcgen"
      ? new Channel({ address: `127.0.0.1:${port}`, logger: silentLogger })
      : protocol === "resp"
        ? new RespChannel({ host: "127.0.0.1", port })
        : new ThriftChannel({ address: `127.0.0.1:${port}` });
  cleanup.add(() => invoker.close());
  return invoker;
}

function onlySpan(spans: ReadableSpan[]): ReadableSpan {
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

// RESP answers a call without credentials NOAUTH before the dispatch (as Redis does): not traced yet.
describe.each(["rpcgen", "thrift"] as const)("calls without credentials over %s", (protocol) => {
  it("a call without credentials: one error span named for the method, UNAUTHENTICATED; counted", async () => {
    const { port, serverSpans } = await tracedCalculator({ auth: { authenticate: staticTokenAuthenticator(["s3cret"]) } });
    await expect(new CalculatorClient(invokerOf(protocol, port)).add(1, 2)).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    const span = onlySpan(serverSpans());
    expect(span.name).toBe("Calculator/add");
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes).toMatchObject({
      "rpc.system": systemOf[protocol],
      "rpc.service": "Calculator",
      "rpc.method": "add",
      "rpc.response.status_code": "UNAUTHENTICATED",
      "error.type": "UNAUTHENTICATED",
      "network.peer.address": "127.0.0.1",
    });
    const { body } = await httpGet(port, "/metrics");
    expect(sample(body, "rpc_server_duration_seconds_count", { rpc_system: systemOf[protocol], rpc_method: "add", rpc_response_status_code: "UNAUTHENTICATED" })).toBe(1);
  });
});

describe.each(["rpcgen", "resp", "thrift"] as const)("unknown methods over %s", (protocol) => {
  it("a method the server does not have: one error span _OTHER, UNIMPLEMENTED, the name asked for kept apart", async () => {
    const { port, serverSpans } = await tracedCalculator();
    const unknown = { ...CalculatorService.methods["add"]!, name: "nosuch", fullName: "Calculator.nosuch" };
    await expect(invokerOf(protocol, port).invoke(unknown, [1, 2])).rejects.toMatchObject({ code: "UNIMPLEMENTED" });
    const span = onlySpan(serverSpans());
    expect(span.name).toBe("_OTHER");
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes).toMatchObject({
      "rpc.system": systemOf[protocol],
      "rpc.method": "_OTHER",
      "rpc.method_original": protocol === "thrift" ? "nosuch" : "Calculator.nosuch",
      "rpc.response.status_code": "UNIMPLEMENTED",
    });
  });
});

describe("a Thrift connection the server refuses", () => {
  it("over the connection limit: its first call gets one error span, RESOURCE_EXHAUSTED", async () => {
    // The one connection is busy (an idle one would be closed to make room).
    let release!: () => void;
    const busy = new Promise<void>((resolve) => (release = resolve));
    const holdSubtract: Interceptor = (next) => async (call) => {
      if (call.method.name === "subtract") await busy;
      return next(call);
    };
    const { port, serverSpans } = await tracedCalculator({ maxConnections: 1, interceptors: [holdSubtract] });
    const first = new CalculatorClient(invokerOf("thrift", port)).subtract(3, 1);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(new CalculatorClient(invokerOf("thrift", port)).add(1, 2)).rejects.toMatchObject({ code: "RESOURCE_EXHAUSTED" });
    release();
    expect(await first).toBe(2);
    const refused = serverSpans().filter((span) => span.status.code === SpanStatusCode.ERROR);
    expect(onlySpan(refused).name).toBe("Calculator/add");
    expect(refused[0]!.attributes["rpc.response.status_code"]).toBe("RESOURCE_EXHAUSTED");
  });
});

describe("refused calls join the caller's trace", () => {
  const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
  const traceparent = `00-${traceId}-00f067aa0ba902b7-01`;

  it("an unknown method and an unauthenticated call over rpcgen frames carry the caller's traceparent", async () => {
    const { port, serverSpans } = await tracedCalculator({ auth: { authenticate: staticTokenAuthenticator(["s3cret"]) } });
    const channel = invokerOf("rpcgen", port);
    const unknown = { ...CalculatorService.methods["add"]!, name: "nosuch", fullName: "Calculator.nosuch" };
    await expect(channel.invoke(unknown, [1, 2], { metadata: { traceparent } })).rejects.toMatchObject({ code: "UNIMPLEMENTED" });
    await expect(channel.invoke(CalculatorService.methods["add"]!, [1, 2], { metadata: { traceparent } })).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    const spans = serverSpans();
    expect(spans.map((span) => span.name)).toEqual(["_OTHER", "Calculator/add"]);
    for (const span of spans) {
      expect(span.spanContext().traceId).toBe(traceId);
      expect(span.parentSpanContext?.spanId).toBe("00f067aa0ba902b7");
    }
  });

  it("arguments that do not check (RESP): one error span INVALID_ARGUMENT", async () => {
    const { port, serverSpans } = await tracedCalculator();
    const raw = await import("node:net").then(({ connect }) => connect({ port, host: "127.0.0.1" }));
    cleanup.add(() => raw.destroy());
    const reply = await new Promise<string>((resolve) => {
      raw.once("data", (chunk) => resolve(chunk.toString()));
      raw.write("CALL Calculator.add one 2\r\n");
    });
    expect(reply).toMatch(/^-INVALID_ARGUMENT/);
    const span = onlySpan(serverSpans());
    expect(span.name).toBe("Calculator/add");
    expect(span.attributes["rpc.response.status_code"]).toBe("INVALID_ARGUMENT");
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
  });
});
