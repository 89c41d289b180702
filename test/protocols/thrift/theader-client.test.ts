/**
 * THeader from rpcgen's ThriftChannel (`transport: "header"`): the call's
 * metadata (CallOptions.metadata, tracing's `traceparent`, the channel's token)
 * goes out as info headers. Judged by Apache's Python THeaderProtocol server
 * (TSimpleServer with THeaderProtocolFactory, `thrift --gen py` code), whose
 * handler prints the headers it got and answers with headers of its own, and
 * by rpcgen's own server, where the client span parents the server span.
 */
import { SpanKind } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  clusterOptionsFromConfig,
  createClusterInvoker,
  createRegistryFromConfig,
  observeClient,
  parseConfig,
  silentLogger,
  staticTokenAuthenticator,
  ThriftChannel,
  withInterceptors,
  type ThriftChannelOptions,
} from "@rpcgen/runtime";
import { CalculatorClient, CalculatorService, DivideByZero } from "../../../examples/calculator/gen/calculator.js";
import { BinaryOutput } from "../../../runtime/protocols/thrift/binary-output.js";
import { HeaderProtocolId, parseHeaderFrame, writeHeaderPrefix } from "../../../runtime/protocols/thrift/theader-frame.js";
import { calculatorIdl, generateApacheCode, startPythonServer, type ApacheGenerated, type PythonServer } from "./support/apache-thrift-tools.js";
import { eventually, startCalculator, type RunningCalculator } from "./support/calculator-server.js";

let pyCode: ApacheGenerated;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(() => {
  pyCode = generateApacheCode("py", calculatorIdl);
});
afterAll(() => pyCode?.dispose());
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function channel(port: number, options: Omit<ThriftChannelOptions, "address"> = {}): ThriftChannel {
  const opened = new ThriftChannel({ address: `127.0.0.1:${port}`, transport: "header", defaultTimeoutMs: 10_000, ...options });
  cleanups.push(() => opened.close());
  return opened;
}

async function pythonServer(protocol: "binary" | "compact", mode: "plain" | "mux", ...extra: string[]): Promise<PythonServer> {
  const server = await startPythonServer([pyCode.dir, "header", protocol, mode, ...extra]);
  cleanups.push(() => server.stop());
  return server;
}

async function rpcgenServer(...args: Parameters<typeof startCalculator>): Promise<RunningCalculator> {
  const started = await startCalculator(...args);
  cleanups.push(() => started.close());
  return started;
}

/** What the Python handler printed once it has printed `count` lines: `headers <method> <json>`. */
async function headersPrinted(server: PythonServer, count: number): Promise<Array<{ method: string; headers: Record<string, string> }>> {
  // Its stdout may arrive after the replies.
  await eventually(() => headersSeen(server).length >= count);
  return headersSeen(server);
}

function headersSeen(server: PythonServer): Array<{ method: string; headers: Record<string, string> }> {
  return server.output
    .filter((line) => line.startsWith("headers "))
    .map((line) => {
      const [, method, json] = /^headers (\S+) (.*)$/.exec(line)!;
      return { method: method!, headers: JSON.parse(json!) as Record<string, string> };
    });
}

function tracing(): { exporter: InMemorySpanExporter; provider: BasicTracerProvider } {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  cleanups.push(() => provider.shutdown());
  return { exporter, provider };
}

describe("THeader info headers as written by writeHeaderPrefix", () => {
  it("round-trip through parseHeaderFrame, multi-byte lengths and UTF-8 included, padded to whole words", () => {
    const metadata = { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "x-long": "v".repeat(300), "x-ü": "ß€" };
    for (const [given, expected] of [
      [undefined, undefined],
      [{}, undefined],
      [metadata, metadata],
    ] as const) {
      const out = new BinaryOutput();
      writeHeaderPrefix(out, 0, 7, HeaderProtocolId.COMPACT, given);
      out.byte(0xaa);
      const bytes = out.take();
      const frame = parseHeaderFrame(bytes, 0, bytes.length);
      expect(frame).toMatchObject({ seqid: 7, protocolId: HeaderProtocolId.COMPACT, transforms: [], metadata: expected });
      expect((frame.payloadStart - 10) % 4).toBe(0);
      expect(bytes[frame.payloadStart]).toBe(0xaa);
    }
  });

  it("metadata past THeader's 256 KiB header area fails the call, which is not sent", async () => {
    const { port, handler } = await rpcgenServer();
    const client = new CalculatorClient(channel(port));
    const refused = await client.add(1, 2, { metadata: { big: "x".repeat(300_000) } }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: "INVALID_ARGUMENT" });
    expect(await client.add(1, 2)).toBe(3);
    expect(handler.adds).toBe(1);
  });

  it("token and metadata are refused on transports that cannot carry them", () => {
    expect(() => new ThriftChannel({ address: "127.0.0.1:1", transport: "framed", token: "t" })).toThrow(/need transport "header"/);
    expect(() => new ThriftChannel({ address: "127.0.0.1:1", metadata: { a: "b" } })).toThrow(/need transport "header"/);
  });
});

describe("rpcgen's ThriftChannel over THeader against Python's THeaderProtocol server", () => {
  it.each([
    ["binary", "plain"],
    ["compact", "mux"],
  ] as const)("%s protocol, %s names: add, a declared exception, headers seen by the handler", async (protocol, mode) => {
    const server = await pythonServer(protocol, mode);
    const thrift = channel(server.port, { protocol, multiplexed: mode === "mux", token: "s3cret", metadata: { "x-tenant": "blue" } });
    const client = new CalculatorClient(thrift);
    expect(await client.add(1, 2, { metadata: { "x-request-id": "r1", "x-tenant": "green" } })).toBe(3);
    const divided = await client.divide(1, 0).catch((error: unknown) => error);
    expect(divided).toBeInstanceOf(DivideByZero);
    expect(divided).toMatchObject({ dividend: 1, message: "cannot divide 1 by zero" });
    // Pipelined: every frame carries its own call's headers.
    const sums = await Promise.all(Array.from({ length: 16 }, (_, i) => client.add(i, 1, { metadata: { "x-i": String(i) } })));
    expect(sums).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(await thrift.ping({ timeoutMs: 5000 })).toBeGreaterThanOrEqual(0);
    await client.log("oneway over THeader");
    await eventually(() => server.output.includes("log: oneway over THeader"));

    const seen = await headersPrinted(server, 18);
    expect(seen[0]).toEqual({
      method: "add",
      headers: { authorization: "Bearer s3cret", "x-request-id": "r1", "x-tenant": "green" },
    });
    expect(seen[1]).toEqual({ method: "divide", headers: { authorization: "Bearer s3cret", "x-tenant": "blue" } });
    expect(seen.slice(2).map((entry) => entry.headers["x-i"])).toEqual(Array.from({ length: 16 }, (_, i) => String(i)));
  });

  it("the traceparent of client tracing reaches the Python handler", async () => {
    const server = await pythonServer("binary", "plain");
    const { exporter, provider } = tracing();
    const client = new CalculatorClient(withInterceptors(channel(server.port), observeClient({ tracing: { tracerProvider: provider }, system: "apache_thrift" })));
    expect(await client.add(20, 22)).toBe(42);
    const [clientSpan] = exporter.getFinishedSpans();
    expect(clientSpan?.kind).toBe(SpanKind.CLIENT);
    const { traceId, spanId } = clientSpan!.spanContext();
    expect((await headersPrinted(server, 1))[0]?.headers.traceparent).toBe(`00-${traceId}-${spanId}-01`);
  });

  it("YAML: protocol thrift with transport header sends the service's token", async () => {
    const server = await pythonServer("compact", "mux");
    process.env.RPCGEN_THEADER_TEST_TOKEN = "from-env";
    cleanups.push(async () => void delete process.env.RPCGEN_THEADER_TEST_TOKEN);
    const config = parseConfig(`
application: { name: theader-client }
registry:
  protocol: direct
  providers:
    - { service: Calculator, version: 1.0.0, address: "127.0.0.1:${server.port}" }
client:
  services:
    Calculator: { protocol: thrift, transport: header, thriftProtocol: compact, multiplexed: true, timeoutMs: 5000, token: { env: RPCGEN_THEADER_TEST_TOKEN } }
`);
    const invoker = createClusterInvoker(clusterOptionsFromConfig(config, CalculatorService, createRegistryFromConfig(config, { logger: silentLogger }), { logger: silentLogger }));
    cleanups.push(() => invoker.close());
    expect(await new CalculatorClient(invoker).add(1, 2)).toBe(3);
    expect((await headersPrinted(server, 1))[0]?.headers).toEqual({ authorization: "Bearer from-env" });
  });

  it("zlib-compressed replies are inflated", async () => {
    const server = await pythonServer("compact", "plain", "zlib");
    const client = new CalculatorClient(channel(server.port, { protocol: "compact" }));
    expect(await client.add(1, 2, { metadata: { "x-a": "b" } })).toBe(3);
    expect(await client.divide(1, 0).catch((error: unknown) => error)).toBeInstanceOf(DivideByZero);
    const sums = await Promise.all(Array.from({ length: 8 }, (_, i) => client.add(i, i)));
    expect(sums).toEqual(Array.from({ length: 8 }, (_, i) => 2 * i));
    expect((await headersPrinted(server, 1))[0]?.headers).toEqual({ "x-a": "b" });
  });
});

describe("rpcgen's ThriftChannel over THeader against rpcgen's own server", () => {
  it.each(["binary", "compact"] as const)("%s: the client span is the parent of the server span", async (protocol) => {
    const { exporter, provider } = tracing();
    const { port } = await rpcgenServer({ observability: { tracing: { tracerProvider: provider } } });
    const client = new CalculatorClient(withInterceptors(channel(port, { protocol }), observeClient({ tracing: { tracerProvider: provider }, system: "apache_thrift" })));
    expect(await client.add(1, 2)).toBe(3);
    expect(await client.divide(1, 0).catch((error: unknown) => error)).toBeInstanceOf(DivideByZero);
    await eventually(() => exporter.getFinishedSpans().length === 4);
    const spans = exporter.getFinishedSpans();
    const clients = spans.filter((span) => span.kind === SpanKind.CLIENT);
    const servers = spans.filter((span) => span.kind === SpanKind.SERVER);
    expect(clients.map((span) => span.name)).toEqual(["Calculator/add", "Calculator/divide"]);
    for (const clientSpan of clients) {
      const serverSpan = servers.find((span) => span.name === clientSpan.name)!;
      expect(serverSpan.spanContext().traceId).toBe(clientSpan.spanContext().traceId);
      expect(serverSpan.parentSpanContext?.spanId).toBe(clientSpan.spanContext().spanId);
      expect(serverSpan.attributes["rpc.system"]).toBe("apache_thrift");
    }
  });

  it("the channel's token authenticates; a wrong one is UNAUTHENTICATED", async () => {
    const { port } = await rpcgenServer({ auth: { authenticate: staticTokenAuthenticator(["s3cret"]) } });
    expect(await new CalculatorClient(channel(port, { token: "s3cret" })).add(1, 2)).toBe(3);
    const refused = await new CalculatorClient(channel(port, { token: "wrong" })).add(1, 2).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: "UNAUTHENTICATED" });
  });
});
