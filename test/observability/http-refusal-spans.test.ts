/**
 * The HTTP layer's own answers, given before a call reaches the dispatch (413
 * for a body over the limit, 405 and 404 for what no route serves, 503 while
 * draining or at the connection limit), are refusals like any other: one
 * SERVER span each, status ERROR with a fitting code, named for the method when
 * the path names one (`_OTHER` otherwise), in the caller's trace, and counted.
 * The requests are made by curl (node:http2 where curl 7.x drops an early
 * answer) and by hand on a raw socket where pipelining or the first bytes matter.
 */
import { connect, type Socket } from "node:net";
import { once } from "node:events";
import { SpanStatusCode } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { afterEach, describe, expect, it } from "vitest";
import type { Interceptor, ServerOptions } from "@rpcgen/runtime";
import { curl } from "../protocols/http/curl.js";
import { http2Request } from "../protocols/http/http2-request.js";
import { Cleanup, tracedCalculator as tracedCalculatorIn } from "./support.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const traceId = "0af7651916cd43dd8448eb211c80319c";
const spanIdOfCaller = "b7ad6b7169203331";
const traceparent = `00-${traceId}-${spanIdOfCaller}-01`;
const addPath = "/calculator.Calculator/add";

const tracedCalculator = (options: ServerOptions = {}) => tracedCalculatorIn(cleanup, options);

/** An error span of the caller's trace, with the refusal's system and code. */
function expectRefusal(span: ReadableSpan, name: string, system: string, code: string): void {
  expect(span.name).toBe(name);
  expect(span.status.code).toBe(SpanStatusCode.ERROR);
  expect(span.attributes).toMatchObject({ "rpc.system": system, "rpc.response.status_code": code, "error.type": code, "network.peer.address": "127.0.0.1" });
  expect(span.spanContext().traceId).toBe(traceId);
  expect(span.parentSpanContext?.spanId).toBe(spanIdOfCaller);
}

const url = (port: number, path: string) => `http://127.0.0.1:${port}${path}`;
const oversized = `{"a":1,"b":2,"pad":"${"x".repeat(2000)}"}`;

describe("a body over maxFrameBytes (413)", () => {
  it("over HTTP/1.1 and HTTP/2, Connect and gRPC-Web: one span each named for the method, RESOURCE_EXHAUSTED, in the caller's trace; counted", async () => {
    const { port, serverSpans, countOf } = await tracedCalculator({ maxFrameBytes: 1024 });
    const connectRequest = { method: "POST", headers: { "content-type": "application/json", traceparent }, body: oversized };
    const grpcWebRequest = { method: "POST", headers: { "content-type": "application/grpc-web+proto", "x-grpc-web": "1", traceparent }, body: Buffer.alloc(2000) };
    expect((await curl(url(port, addPath), connectRequest)).status).toBe(413);
    expect((await curl(url(port, addPath), grpcWebRequest)).status).toBe(413);
    // Over HTTP/2 the 413 comes before the body is all sent, then RST_STREAM NO_ERROR, which curl 7.x drops the answer on.
    expect((await http2Request(url(port, addPath), connectRequest)).status).toBe(413);
    expect((await http2Request(url(port, addPath), grpcWebRequest)).status).toBe(413);
    const spans = serverSpans();
    expect(spans).toHaveLength(4);
    spans.forEach((span, index) => expectRefusal(span, "Calculator/add", index % 2 === 0 ? "connect_rpc" : "grpc-web", "RESOURCE_EXHAUSTED"));
    expect(await countOf({ rpc_system: "connect_rpc", rpc_method: "add", rpc_response_status_code: "RESOURCE_EXHAUSTED" })).toBe(2);
    expect(await countOf({ rpc_system: "grpc-web", rpc_method: "add", rpc_response_status_code: "RESOURCE_EXHAUSTED" })).toBe(2);
  });
});

describe("what no route serves (405, 404)", () => {
  it.each([
    ["HTTP/1.1", false],
    ["HTTP/2", true],
  ] as const)("a GET of a method's path and of another path over %s (405): UNIMPLEMENTED, named for the method or _OTHER; counted", async (_version, http2) => {
    const { port, serverSpans, countOf } = await tracedCalculator();
    const method = await curl(url(port, addPath), { method: "GET", http2, headers: { traceparent } });
    expect(method.status).toBe(405);
    expect(method.headers["allow"]).toBe("POST");
    expect((await curl(url(port, "/favicon.ico"), { method: "GET", http2, headers: { traceparent } })).status).toBe(405);
    const [named, other] = serverSpans();
    expectRefusal(named!, "Calculator/add", "connect_rpc", "UNIMPLEMENTED");
    expectRefusal(other!, "_OTHER", "connect_rpc", "UNIMPLEMENTED");
    expect(other!.attributes["rpc.method_original"]).toBe("/favicon.ico");
    expect(await countOf({ rpc_system: "connect_rpc", rpc_method: "add", rpc_response_status_code: "UNIMPLEMENTED" })).toBe(1);
    expect(await countOf({ rpc_system: "connect_rpc", rpc_method: "_OTHER", rpc_response_status_code: "UNIMPLEMENTED" })).toBe(1);
  });

  it("a target no route can serve (`OPTIONS *`, 404): one _OTHER span, UNIMPLEMENTED; counted", async () => {
    const { port, serverSpans, countOf } = await tracedCalculator();
    const reply = await curl(url(port, "/"), { method: "OPTIONS", requestTarget: "*", headers: { traceparent } });
    expect(reply.status).toBe(404);
    const [span] = serverSpans();
    expect(serverSpans()).toHaveLength(1);
    expectRefusal(span!, "_OTHER", "connect_rpc", "UNIMPLEMENTED");
    expect(span!.attributes["rpc.method_original"]).toBe("*");
    expect(await countOf({ rpc_system: "connect_rpc", rpc_method: "_OTHER", rpc_response_status_code: "UNIMPLEMENTED" })).toBe(1);
  });

  it("a content type Connect does not speak over HTTP/2 (415): named for the method, UNIMPLEMENTED; counted", async () => {
    const { port, serverSpans, countOf } = await tracedCalculator();
    const reply = await curl(url(port, addPath), { method: "POST", http2: true, headers: { "content-type": "text/plain", traceparent }, body: "{}" });
    expect(reply.status).toBe(415);
    const [span] = serverSpans();
    expectRefusal(span!, "Calculator/add", "connect_rpc", "UNIMPLEMENTED");
    expect(await countOf({ rpc_system: "connect_rpc", rpc_method: "add", rpc_response_status_code: "UNIMPLEMENTED" })).toBe(1);
  });
});

describe("503 over HTTP/1.1", () => {
  /** A raw connection: what a client that pipelines, or that writes its whole request at once, sends. */
  async function rawConnection(port: number): Promise<{ socket: Socket; received: () => string; closed: Promise<unknown> }> {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.on("error", () => {});
    cleanup.add(() => socket.destroy());
    await once(socket, "connect");
    let text = "";
    socket.on("data", (chunk: Buffer) => (text += chunk.toString("latin1")));
    return { socket, received: () => text, closed: once(socket, "close") };
  }

  const request = (path: string, body: string) =>
    `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\ntraceparent: ${traceparent}\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

  /** An interceptor that holds calls of `subtract` until released, and says when one is held. */
  function holdingSubtract() {
    let release!: () => void;
    let held!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const holding = new Promise<void>((resolve) => (held = resolve));
    const interceptor: Interceptor = (next) => async (call) => {
      if (call.method.name === "subtract") {
        held();
        await released;
      }
      return next(call);
    };
    return { interceptor, holding, release };
  }

  it("a request pipelined on a draining connection: refused, one span named for the method, UNAVAILABLE; counted", async () => {
    const hold = holdingSubtract();
    const { server, port, serverSpans, countOf } = await tracedCalculator({ interceptors: [hold.interceptor] });
    const { socket, received, closed } = await rawConnection(port);
    socket.write(request("/calculator.Calculator/subtract", '{"a":3,"b":1}'));
    await hold.holding;
    // With no drain delay, close() tells the connections to drain before it returns.
    const closing = server.close({ graceMs: 5000 });
    socket.write(request(addPath, '{"a":1,"b":2}'));
    await expect.poll(() => serverSpans().length).toBe(1);
    expectRefusal(serverSpans()[0]!, "Calculator/add", "connect_rpc", "UNAVAILABLE");
    expect(await countOf({ rpc_system: "connect_rpc", rpc_method: "add", rpc_response_status_code: "UNAVAILABLE" })).toBe(1);
    hold.release();
    await closed;
    // HTTP/1.1 answers in order, and the call in flight's answer closes the connection: the
    // refused request's 503 is never written; the client retries it elsewhere, as after any `Connection: close`.
    expect(received()).toMatch(/^HTTP\/1\.1 200 [^]*Connection: close\r\n\r\n\{"success":2\}$/);
    await closing;
  });

  it("a newcomer refused at the connection limit: 503 and one span named for its method, RESOURCE_EXHAUSTED; counted", async () => {
    const hold = holdingSubtract();
    const { port, serverSpans, countOf } = await tracedCalculator({ maxConnections: 1, interceptors: [hold.interceptor] });
    // The one connection is busy (an idle one would be closed to make room).
    const busy = await rawConnection(port);
    busy.socket.write(request("/calculator.Calculator/subtract", '{"a":3,"b":1}'));
    await hold.holding;
    const newcomer = await rawConnection(port);
    newcomer.socket.write(request(addPath, '{"a":1,"b":2}'));
    await newcomer.closed;
    expect(newcomer.received()).toMatch(/^HTTP\/1\.1 503 /);
    hold.release();
    const refused = serverSpans().filter((span) => span.status.code === SpanStatusCode.ERROR);
    expect(refused).toHaveLength(1);
    expectRefusal(refused[0]!, "Calculator/add", "connect_rpc", "RESOURCE_EXHAUSTED");
    expect(await countOf({ rpc_system: "connect_rpc", rpc_method: "add", rpc_response_status_code: "RESOURCE_EXHAUSTED" })).toBe(1);
  });
});
