import { AsyncLocalStorage } from "node:async_hooks";
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, context, trace, type Context, type ContextManager } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterEach, describe, expect, it } from "vitest";
import { Channel, RespChannel, observeClient, silentLogger, withInterceptors, type Invoker } from "@rpcgen/runtime";
import { CalculatorClient, DivideByZero } from "../../examples/calculator/gen/calculator.js";
import { Cleanup, startCalculator } from "./support.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** A tracer provider recording into its own in-memory exporter. */
function recordingProvider(): { provider: BasicTracerProvider; exporter: InMemorySpanExporter } {
  const exporter = new InMemorySpanExporter();
  return { provider: new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }), exporter };
}

/** The smallest ContextManager on AsyncLocalStorage (what @opentelemetry/context-async-hooks provides to applications). */
class StorageContextManager implements ContextManager {
  private readonly storage = new AsyncLocalStorage<Context>();
  active(): Context {
    return this.storage.getStore() ?? ROOT_CONTEXT;
  }
  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(ctx: Context, fn: F, thisArg?: ThisParameterType<F>, ...args: A): ReturnType<F> {
    return this.storage.run(ctx, () => fn.apply(thisArg, args));
  }
  bind<T>(_ctx: Context, target: T): T {
    return target;
  }
  enable(): this {
    return this;
  }
  disable(): this {
    this.storage.disable();
    return this;
  }
}

function only(spans: ReadableSpan[], kind: SpanKind): ReadableSpan {
  const matching = spans.filter((span) => span.kind === kind);
  expect(matching).toHaveLength(1);
  return matching[0]!;
}

describe("tracing", () => {
  async function tracedPair(makeInvoker: (address: string, port: number) => Invoker, system: string) {
    const serverSide = recordingProvider();
    const clientSide = recordingProvider();
    const { address, port } = await startCalculator(cleanup, { observability: { tracing: { tracerProvider: serverSide.provider } } });
    const invoker = makeInvoker(address, port);
    const client = new CalculatorClient(withInterceptors(invoker, observeClient({ tracing: { tracerProvider: clientSide.provider }, system })));
    return { client, serverSpans: serverSide.exporter, clientSpans: clientSide.exporter };
  }

  it("a client span and a server span share one trace id over rpcgen frames, the server's the child of the client's", async () => {
    const { client, serverSpans, clientSpans } = await tracedPair((address) => {
      const channel = new Channel({ address, logger: silentLogger });
      cleanup.add(() => channel.close());
      return channel;
    }, "rpcgen");
    expect(await client.add(1, 2)).toBe(3);
    const clientSpan = only(clientSpans.getFinishedSpans(), SpanKind.CLIENT);
    const serverSpan = only(serverSpans.getFinishedSpans(), SpanKind.SERVER);
    expect(clientSpan.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(serverSpan.spanContext().traceId).toBe(clientSpan.spanContext().traceId);
    expect(serverSpan.parentSpanContext?.spanId).toBe(clientSpan.spanContext().spanId);
    expect(serverSpan.name).toBe("Calculator/add");
    expect(serverSpan.attributes).toMatchObject({
      "rpc.system": "rpcgen",
      "rpc.service": "Calculator",
      "rpc.method": "add",
      "rpc.response.status_code": "OK",
      "network.peer.address": "127.0.0.1",
    });
    expect(typeof serverSpan.attributes["network.peer.port"]).toBe("number");
    expect(clientSpan.attributes).toMatchObject({ "rpc.system": "rpcgen", "rpc.service": "Calculator", "rpc.method": "add" });
  });

  it("carries the trace over RESP too (RPC.METADATA before the call), and marks failures", async () => {
    const { client, serverSpans, clientSpans } = await tracedPair((_address, port) => {
      const resp = new RespChannel({ port });
      cleanup.add(() => resp.close());
      return resp;
    }, "resp");
    expect(await client.add(20, 22)).toBe(42);
    await expect(client.divide(1, 0)).rejects.toBeInstanceOf(DivideByZero);
    const clients = clientSpans.getFinishedSpans();
    const servers = serverSpans.getFinishedSpans();
    expect(clients).toHaveLength(2);
    expect(servers).toHaveLength(2);
    for (const [i, clientSpan] of clients.entries()) {
      expect(servers[i]!.spanContext().traceId).toBe(clientSpan.spanContext().traceId);
      expect(servers[i]!.parentSpanContext?.spanId).toBe(clientSpan.spanContext().spanId);
    }
    expect(clients[0]!.spanContext().traceId).not.toBe(clients[1]!.spanContext().traceId);
    expect(servers[1]!.attributes).toMatchObject({ "rpc.system": "resp", "rpc.response.status_code": "UNKNOWN", "error.type": "DivideByZero" });
    expect(clients[1]!.status.code).toBe(SpanStatusCode.ERROR);
    expect(clients[0]!.status.code).not.toBe(SpanStatusCode.ERROR);
  });

  it("the client span is a child of the caller's active span, and the handler runs in the server span's context", async () => {
    const serverSide = recordingProvider();
    const clientSide = recordingProvider();
    let activeInHandler: string | undefined;
    const { address } = await startCalculator(cleanup, {
      observability: { tracing: { tracerProvider: serverSide.provider } },
      interceptors: [
        (next) => (call) => {
          activeInHandler = trace.getSpan(context.active())?.spanContext().spanId;
          return next(call);
        },
      ],
    });
    const channel = new Channel({ address, logger: silentLogger });
    cleanup.add(() => channel.close());
    const client = new CalculatorClient(withInterceptors(channel, observeClient({ tracing: { tracerProvider: clientSide.provider } })));
    expect(context.setGlobalContextManager(new StorageContextManager())).toBe(true);
    cleanup.add(() => context.disable());
    const parent = clientSide.provider.getTracer("test").startSpan("checkout");
    const result = await context.with(trace.setSpan(context.active(), parent), () => client.subtract(5, 3));
    parent.end();
    expect(result).toBe(2);
    const clientSpan = only(clientSide.exporter.getFinishedSpans(), SpanKind.CLIENT);
    expect(clientSpan.parentSpanContext?.spanId).toBe(parent.spanContext().spanId);
    expect(clientSpan.spanContext().traceId).toBe(parent.spanContext().traceId);
    const serverSpan = only(serverSide.exporter.getFinishedSpans(), SpanKind.SERVER);
    expect(serverSpan.spanContext().traceId).toBe(parent.spanContext().traceId);
    // The user's interceptors and the handler run inside the server span.
    expect(activeInHandler).toBe(serverSpan.spanContext().spanId);
  });

  it("without a caller's trace context, a server span starts its own trace", async () => {
    const serverSide = recordingProvider();
    const { address } = await startCalculator(cleanup, { observability: { tracing: { tracerProvider: serverSide.provider } } });
    const channel = new Channel({ address, logger: silentLogger });
    cleanup.add(() => channel.close());
    expect(await new CalculatorClient(channel).add(1, 1)).toBe(2);
    const span = only(serverSide.exporter.getFinishedSpans(), SpanKind.SERVER);
    expect(span.parentSpanContext).toBeUndefined();
    expect(span.spanContext().traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it("a Connect (HTTP) call's traceparent and tracestate headers make the server span a child of the caller's", async () => {
    const serverSide = recordingProvider();
    const { port } = await startCalculator(cleanup, { observability: { tracing: { tracerProvider: serverSide.provider } } });
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    const response = await fetch(`http://127.0.0.1:${port}/calculator.Calculator/add`, {
      method: "POST",
      headers: { "content-type": "application/json", traceparent: `00-${traceId}-b7ad6b7169203331-01`, tracestate: "vendor=value" },
      body: JSON.stringify({ a: 1, b: 2 }),
      signal: AbortSignal.timeout(10_000),
    });
    expect(response.status).toBe(200);
    await response.text();
    const span = only(serverSide.exporter.getFinishedSpans(), SpanKind.SERVER);
    expect(span.spanContext().traceId).toBe(traceId);
    expect(span.parentSpanContext?.spanId).toBe("b7ad6b7169203331");
    expect(span.spanContext().traceState?.get("vendor")).toBe("value");
    expect(span.attributes["rpc.system"]).toBe("connect_rpc");
  });
});
