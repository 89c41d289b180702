/**
 * Calls the dispatch refuses before their handler (no credentials, a method the
 * server does not have, arguments that do not check) still get one SERVER span
 * each, status ERROR with the refusal's code, over every protocol, joined to
 * the caller's trace when the call carried one; and are still counted.
 */
import { connect as connectHttp2 } from "node:http2";
import { SpanStatusCode } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterEach, describe, expect, it } from "vitest";
import { Channel, RespChannel, ThriftChannel, silentLogger, staticTokenAuthenticator, type Interceptor, type Invoker, type ServerOptions } from "@rpcgen/runtime";
import { CalculatorClient, CalculatorService } from "../../examples/calculator/gen/calculator.js";
import { Cleanup, httpGet, sample, tracedCalculator as tracedCalculatorIn, rawRespCommand } from "./support.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

type Protocol = "rpcgen" | "resp" | "thrift";
const systemOf = { rpcgen: "rpcgen", resp: "resp", thrift: "apache_thrift" } as const;

const tracedCalculator = (options: ServerOptions = {}) => tracedCalculatorIn(cleanup, options);

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

// RESP answers NOAUTH before the dispatch (as Redis does); RespChannel reads it as UNAUTHENTICATED.
describe.each(["rpcgen", "resp", "thrift"] as const)("calls without credentials over %s", (protocol) => {
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

describe("RESP's NOAUTH", () => {
  /** Writes `commands` and QUIT over a raw socket (no client library between the test and the wire): every reply line. */
  async function rawResp(port: number, commands: string[]): Promise<string[]> {
    const { connect } = await import("node:net");
    const socket = connect({ port, host: "127.0.0.1" });
    cleanup.add(() => socket.destroy());
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.write([...commands, "QUIT", ""].join("\r\n"));
    await new Promise((resolve) => socket.on("close", resolve));
    return Buffer.concat(chunks).toString().split("\r\n").filter((line) => line !== "");
  }

  it("a method called before AUTH (CALL or its wire name) gets -NOAUTH and one error span named for it, UNAUTHENTICATED; counted", async () => {
    const { port, serverSpans } = await tracedCalculator({ auth: { authenticate: staticTokenAuthenticator(["s3cret"]) } });
    const noAuth = "-NOAUTH Authentication required.";
    expect(await rawResp(port, ["CALL Calculator.add 1 2", "Calculator.add 1 2"])).toEqual([noAuth, noAuth, "+OK"]);
    const spans = serverSpans();
    expect(spans).toHaveLength(2);
    for (const span of spans) {
      expect(span.name).toBe("Calculator/add");
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
      expect(span.attributes).toMatchObject({
        "rpc.system": "resp",
        "rpc.service": "Calculator",
        "rpc.method": "add",
        "rpc.response.status_code": "UNAUTHENTICATED",
        "error.type": "UNAUTHENTICATED",
        "network.peer.address": "127.0.0.1",
      });
    }
    const { body } = await httpGet(port, "/metrics");
    expect(sample(body, "rpc_server_duration_seconds_count", { rpc_system: "resp", rpc_method: "add", rpc_response_status_code: "UNAUTHENTICATED" })).toBe(2);
  });

  it("commands that call no method (PING, COMMAND, HELLO, RPC.METADATA, an unknown command) get -NOAUTH and no span", async () => {
    const { port, serverSpans } = await tracedCalculator({ auth: { authenticate: staticTokenAuthenticator(["s3cret"]) } });
    const replies = await rawResp(port, ["PING", "COMMAND COUNT", "HELLO 3", "RPC.METADATA traceparent x", "NOSUCH 1"]);
    expect(replies).toHaveLength(6);
    for (const reply of replies.slice(0, 5)) expect(reply).toMatch(/^-NOAUTH /);
    expect(serverSpans()).toEqual([]);
    const { body } = await httpGet(port, "/metrics");
    expect(sample(body, "rpc_server_duration_seconds_count", { rpc_system: "resp" })).toBeUndefined();
  });

  it("a CALL of a method the server does not have, before AUTH, also gets -NOAUTH (nothing of the methods is revealed)", async () => {
    const { port, serverSpans } = await tracedCalculator({ auth: { authenticate: staticTokenAuthenticator(["s3cret"]) } });
    expect(await rawResp(port, ["CALL Calculator.nosuch 1", "AUTH s3cret", "CALL Calculator.nosuch 1"])).toEqual([
      "-NOAUTH Authentication required.",
      "+OK",
      '-UNIMPLEMENTED unknown method "Calculator.nosuch"',
      "+OK",
    ]);
    const spans = serverSpans();
    expect(spans.map((span) => [span.name, span.attributes["rpc.response.status_code"]])).toEqual([
      ["_OTHER", "UNAUTHENTICATED"],
      ["_OTHER", "UNIMPLEMENTED"],
    ]);
  });

  it("after AUTH the same call is answered and its span is OK", async () => {
    const { port, serverSpans } = await tracedCalculator({ auth: { authenticate: staticTokenAuthenticator(["s3cret"]) } });
    expect(await rawResp(port, ["AUTH s3cret", "CALL Calculator.add 1 2"])).toEqual(["+OK", ":3", "+OK"]);
    const span = onlySpan(serverSpans());
    expect(span.name).toBe("Calculator/add");
    expect(span.status.code).not.toBe(SpanStatusCode.ERROR);
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
  const spanIdOfCaller = "00f067aa0ba902b7";
  const traceparent = `00-${traceId}-${spanIdOfCaller}-01`;
  const unknownPath = "/calculator.Calculator/nosuch";

  function expectChildOfCaller(span: ReadableSpan): void {
    expect(span.spanContext().traceId).toBe(traceId);
    expect(span.parentSpanContext?.spanId).toBe(spanIdOfCaller);
  }

  /** A raw gRPC request over HTTP/2 (no client library between the test and the wire): its grpc-status and grpc-message. */
  async function grpcRequest(port: number, path: string, headers: Record<string, string>): Promise<{ status: string; message: string }> {
    const session = connectHttp2(`http://127.0.0.1:${port}`);
    cleanup.add(() => new Promise<void>((resolve) => session.close(() => resolve())));
    const stream = session.request({ ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers", ...headers });
    stream.end(Buffer.from([0, 0, 0, 0, 0]));
    return new Promise((resolve, reject) => {
      let status: { status: string; message: string } | undefined;
      const read = (fields: Record<string, unknown>): void => {
        if (fields["grpc-status"] !== undefined) status = { status: String(fields["grpc-status"]), message: String(fields["grpc-message"]) };
      };
      stream.on("response", read);
      stream.on("trailers", read);
      stream.on("error", reject);
      stream.resume();
      stream.on("close", () => (status === undefined ? reject(new Error("no grpc-status")) : resolve(status)));
    });
  }

  /** A POST over HTTP/1.1 (Connect or gRPC-Web, by the content type): the HTTP status and the body. */
  async function post(port: number, path: string, headers: Record<string, string>, body: Uint8Array | string): Promise<{ status: number; body: Buffer }> {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { method: "POST", headers, body, signal: AbortSignal.timeout(10_000) });
    return { status: response.status, body: Buffer.from(await response.arrayBuffer()) };
  }

  const emptyGrpcMessage = new Uint8Array([0, 0, 0, 0, 0]);

  it("an unknown method and an unauthenticated call over rpcgen frames carry the caller's traceparent", async () => {
    const { port, serverSpans } = await tracedCalculator({ auth: { authenticate: staticTokenAuthenticator(["s3cret"]) } });
    const channel = invokerOf("rpcgen", port);
    const unknown = { ...CalculatorService.methods["add"]!, name: "nosuch", fullName: "Calculator.nosuch" };
    await expect(channel.invoke(unknown, [1, 2], { metadata: { traceparent } })).rejects.toMatchObject({ code: "UNIMPLEMENTED" });
    await expect(channel.invoke(CalculatorService.methods["add"]!, [1, 2], { metadata: { traceparent } })).rejects.toMatchObject({ code: "UNAUTHENTICATED" });
    const spans = serverSpans();
    expect(spans.map((span) => span.name)).toEqual(["_OTHER", "Calculator/add"]);
    for (const span of spans) expectChildOfCaller(span);
  });

  it("an unknown method over RESP (RespChannel sends the metadata as RPC.METADATA): one _OTHER span, UNIMPLEMENTED, child of the caller's span", async () => {
    const { port, serverSpans } = await tracedCalculator();
    const unknown = { ...CalculatorService.methods["add"]!, name: "nosuch", fullName: "Calculator.nosuch" };
    await expect(invokerOf("resp", port).invoke(unknown, [1, 2], { metadata: { traceparent } })).rejects.toMatchObject({ code: "UNIMPLEMENTED" });
    const span = onlySpan(serverSpans());
    expect(span.name).toBe("_OTHER");
    expect(span.attributes).toMatchObject({ "rpc.system": "resp", "rpc.method_original": "Calculator.nosuch", "rpc.response.status_code": "UNIMPLEMENTED" });
    expectChildOfCaller(span);
  });

  it("an unknown method over gRPC (raw HTTP/2): one _OTHER span, UNIMPLEMENTED, child of the caller's span", async () => {
    const { port, serverSpans } = await tracedCalculator();
    expect(await grpcRequest(port, unknownPath, { traceparent })).toMatchObject({ status: "12" });
    const span = onlySpan(serverSpans());
    expect(span.name).toBe("_OTHER");
    expect(span.attributes).toMatchObject({ "rpc.system": "grpc", "rpc.method_original": unknownPath, "rpc.response.status_code": "UNIMPLEMENTED", "rpc.grpc.status_code": 12 });
    expectChildOfCaller(span);
  });

  it.each<{ protocol: string; system: string; headers: Record<string, string>; body: Uint8Array | string; answered: (reply: { status: number; body: Buffer }) => void }>([
    {
      protocol: "Connect (a curl-like POST)",
      system: "connect_rpc",
      headers: { "content-type": "application/json" },
      body: "{}",
      answered: (reply: { status: number; body: Buffer }) => {
        expect(reply.status).toBe(404);
        expect(JSON.parse(reply.body.toString())).toMatchObject({ code: "unimplemented" });
      },
    },
    {
      protocol: "gRPC-Web",
      system: "grpc-web",
      headers: { "content-type": "application/grpc-web+proto", "x-grpc-web": "1" },
      body: emptyGrpcMessage,
      answered: (reply: { status: number; body: Buffer }) => {
        expect(reply.status).toBe(200);
        expect(reply.body.toString("latin1")).toContain("grpc-status: 12");
      },
    },
  ])("an unknown method over $protocol: one _OTHER span, UNIMPLEMENTED, child of the caller's span", async ({ system, headers, body, answered }) => {
    const { port, serverSpans } = await tracedCalculator();
    answered(await post(port, unknownPath, { ...headers, traceparent }, body));
    const span = onlySpan(serverSpans());
    expect(span.name).toBe("_OTHER");
    expect(span.attributes).toMatchObject({ "rpc.system": system, "rpc.method_original": unknownPath, "rpc.response.status_code": "UNIMPLEMENTED" });
    expectChildOfCaller(span);
  });

  it("a known method the protocol refuses itself (a bad header): one span named for the method, child of the caller's span, counted", async () => {
    const { port, serverSpans } = await tracedCalculator();
    const addPath = "/calculator.Calculator/add";
    // gRPC: a malformed grpc-timeout; Connect: a content type it does not speak; gRPC-Web: a grpc-encoding it does not speak.
    expect(await grpcRequest(port, addPath, { traceparent, "grpc-timeout": "soon" })).toMatchObject({ status: "13" });
    expect((await post(port, addPath, { "content-type": "text/plain", traceparent }, "{}")).status).toBe(415);
    const grpcWeb = await post(port, addPath, { "content-type": "application/grpc-web+proto", "grpc-encoding": "br", traceparent }, emptyGrpcMessage);
    expect(grpcWeb.body.toString("latin1")).toContain("grpc-status: 12");
    const spans = serverSpans();
    expect(spans.map((span) => [span.name, span.attributes["rpc.system"], span.attributes["rpc.response.status_code"]])).toEqual([
      ["Calculator/add", "grpc", "INTERNAL"],
      ["Calculator/add", "connect_rpc", "UNIMPLEMENTED"],
      ["Calculator/add", "grpc-web", "UNIMPLEMENTED"],
    ]);
    for (const span of spans) {
      expect(span.status.code).toBe(SpanStatusCode.ERROR);
      expectChildOfCaller(span);
    }
    const { body } = await httpGet(port, "/metrics");
    expect(sample(body, "rpc_server_duration_seconds_count", { rpc_system: "connect_rpc", rpc_method: "add", rpc_response_status_code: "UNIMPLEMENTED" })).toBe(1);
  });

  it("a oneway call over gRPC-Web whose message is over the limit: answered RESOURCE_EXHAUSTED, and one span for it", async () => {
    const { port, serverSpans } = await tracedCalculator();
    // The frame declares 2 GiB: refused on the declared length, before anything is allocated.
    const reply = await post(port, "/calculator.Calculator/log", { "content-type": "application/grpc-web+proto", traceparent }, new Uint8Array([0, 0x7f, 0xff, 0xff, 0xff]));
    expect(reply.body.toString("latin1")).toContain("grpc-status: 8");
    const span = onlySpan(serverSpans());
    expect(span.name).toBe("Calculator/log");
    expect(span.attributes["rpc.response.status_code"]).toBe("RESOURCE_EXHAUSTED");
    expectChildOfCaller(span);
  });

  it("arguments that do not check (RESP): one error span INVALID_ARGUMENT", async () => {
    const { port, serverSpans } = await tracedCalculator();
    const reply = await rawRespCommand(cleanup, port, "CALL Calculator.add one 2");
    expect(reply).toMatch(/^-INVALID_ARGUMENT/);
    const span = onlySpan(serverSpans());
    expect(span.name).toBe("Calculator/add");
    expect(span.attributes["rpc.response.status_code"]).toBe("INVALID_ARGUMENT");
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
  });
});
