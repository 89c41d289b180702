/**
 * CORS for browser pages of other origins calling over Connect and gRPC-Web,
 * judged by curl over HTTP/1.1 and HTTP/2 (h2c, prior knowledge): a preflight
 * is answered for an allowed origin only, with the protocols' request headers;
 * the calls' answers (errors and the HTTP layer's own refusals included) carry
 * the origin and the headers a page must read; an origin not allowed is never
 * echoed; and without the option (the default) no CORS header is sent at all.
 */
import { once } from "node:events";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Server, silentLogger, type Interceptor, type ServerOptions } from "@rpcgen/runtime";
import { CalculatorHandlerImpl } from "../../../examples/calculator/calculator-handler.js";
import { registerCalculator } from "../../../examples/calculator/gen/calculator.js";
import { accessControlHeaders, curl, type CurlReply } from "./curl.js";
import { http2Request } from "./http2-request.js";

const appOrigin = "https://app.example.com";
const strangerOrigin = "https://stranger.example.net";
const addPath = "/calculator.Calculator/add";

const connectCall = { headers: { "content-type": "application/json", "connect-protocol-version": "1" }, body: '{"a":1,"b":2}' };
/** `Calculator_add_args { a: 1, b: 2 }` as one gRPC-Web message: flag 0, length 4, then the fields. */
const grpcWebCall = { headers: { "content-type": "application/grpc-web+proto", "x-grpc-web": "1" }, body: Buffer.from([0, 0, 0, 0, 4, 0x08, 1, 0x10, 2]) };

/** What browsers ask in a preflight before each protocol's call (the names of the non-safelisted headers they will send). */
const preflightOf = {
  Connect: "content-type,connect-protocol-version,connect-timeout-ms",
  "gRPC-Web": "content-type,x-grpc-web,x-user-agent,grpc-timeout",
};

const servers: Server[] = [];
let listed: number;
let anyOrigin: number;
let withoutCors: number;

async function start(options: ServerOptions): Promise<number> {
  const server = new Server({ logger: silentLogger, ...options });
  registerCalculator(server, new CalculatorHandlerImpl());
  servers.push(server);
  return (await server.listen({ host: "127.0.0.1", port: 0 })).port;
}

beforeAll(async () => {
  listed = await start({
    maxFrameBytes: 1024,
    cors: { allowedOrigins: [appOrigin, "http://localhost:5173"], allowedHeaders: ["X-Tenant"], exposedHeaders: ["x-request-id"], allowCredentials: true, maxAgeSeconds: 600 },
  });
  anyOrigin = await start({ cors: { allowedOrigins: "*" } });
  withoutCors = await start({});
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close({ graceMs: 1000 })));
});

const url = (port: number, path = addPath) => `http://127.0.0.1:${port}${path}`;

function preflight(port: number, origin: string, requestHeaders: string, http2: boolean, path = addPath): Promise<CurlReply> {
  return curl(url(port, path), {
    method: "OPTIONS",
    http2,
    headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": requestHeaders },
  });
}

function call(port: number, origin: string | undefined, protocol: typeof connectCall | typeof grpcWebCall, http2: boolean, path = addPath): Promise<CurlReply> {
  return curl(url(port, path), { method: "POST", http2, headers: { ...protocol.headers, ...(origin === undefined ? {} : { origin }) }, body: protocol.body });
}

function names(list: string | undefined): string[] {
  return (list ?? "").split(",").map((name) => name.trim().toLowerCase());
}

/** The headers every answer to a call from the allowed origin carries on the `listed` server. */
function expectAllowedAnswer(reply: CurlReply): void {
  expect(reply.headers["access-control-allow-origin"]).toBe(appOrigin);
  expect(reply.headers["access-control-allow-credentials"]).toBe("true");
  expect(names(reply.headers["vary"])).toContain("origin");
  expect(names(reply.headers["access-control-expose-headers"])).toEqual(expect.arrayContaining(["grpc-status", "grpc-message", "grpc-status-details-bin", "x-request-id"]));
}

describe.each([
  ["HTTP/1.1", false],
  ["HTTP/2", true],
] as const)("CORS over %s", (version, http2) => {
  it.each(Object.entries(preflightOf))("a %s preflight from an allowed origin: 204 with the origin, POST, the protocols' and the configured headers, max age, Vary: Origin", async (_protocol, requestHeaders) => {
    const reply = await preflight(listed, appOrigin, requestHeaders, http2);
    expect(reply.httpVersion).toBe(version);
    expect(reply.status).toBe(204);
    expect(reply.body.length).toBe(0);
    expect(accessControlHeaders(reply)).toMatchObject({
      "access-control-allow-origin": appOrigin,
      "access-control-allow-methods": "POST",
      "access-control-allow-credentials": "true",
      "access-control-max-age": "600",
    });
    const allowed = names(reply.headers["access-control-allow-headers"]);
    expect(allowed).toEqual(expect.arrayContaining(names(requestHeaders)));
    expect(allowed).toEqual(expect.arrayContaining(["content-type", "connect-protocol-version", "connect-timeout-ms", "x-grpc-web", "x-user-agent", "grpc-timeout", "authorization", "x-api-key", "traceparent", "tracestate", "x-tenant"]));
    expect(names(reply.headers["vary"])).toContain("origin");
  });

  it("a preflight from an origin not allowed: no allow header at all, and its origin is not echoed", async () => {
    const reply = await preflight(listed, strangerOrigin, preflightOf.Connect, http2);
    expect(reply.status).toBe(204);
    expect(accessControlHeaders(reply)).toEqual({});
    expect(names(reply.headers["vary"])).toContain("origin");
    expect(JSON.stringify(reply.headers)).not.toContain("stranger");
  });

  it("a Connect call from an allowed origin: answered, with the origin, credentials, exposed headers and Vary: Origin", async () => {
    const reply = await call(listed, appOrigin, connectCall, http2);
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body.toString())).toEqual({ success: 3 });
    expectAllowedAnswer(reply);
  });

  it("a gRPC-Web call from an allowed origin: answered, with the same headers", async () => {
    const reply = await call(listed, appOrigin, grpcWebCall, http2);
    expect(reply.status).toBe(200);
    expect(reply.headers["content-type"]).toBe("application/grpc-web+proto");
    expect(reply.body.toString("latin1")).toContain("grpc-status: 0");
    expectAllowedAnswer(reply);
  });

  it("errors carry them too, so the page can read them: an unknown method (Connect 404) and a declared exception (gRPC-Web)", async () => {
    const unknown = await call(listed, appOrigin, connectCall, http2, "/calculator.Calculator/nosuch");
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body.toString())).toMatchObject({ code: "unimplemented" });
    expectAllowedAnswer(unknown);
    // divide(1, 0): Calculator_divide_args { dividend: 1, divisor: 0 }.
    const divideByZero = { ...grpcWebCall, body: Buffer.from([0, 0, 0, 0, 4, 0x08, 1, 0x10, 0]) };
    const declared = await call(listed, appOrigin, divideByZero, http2, "/calculator.Calculator/divide");
    expect(declared.body.toString("latin1")).toMatch(/grpc-status: 2\r\n[^]*grpc-status-details-bin: /);
    expectAllowedAnswer(declared);
  });

  it("a body over maxFrameBytes, refused by the HTTP layer itself (413), still carries them", async () => {
    const tooLarge = { method: "POST", headers: { ...connectCall.headers, origin: appOrigin }, body: `{"a":1,"b":2,"pad":"${"x".repeat(2000)}"}` };
    // Over HTTP/2 the 413 comes before the body is all sent, then RST_STREAM NO_ERROR, which curl 7.x drops the answer on.
    const reply = http2 ? await http2Request(url(listed), tooLarge) : await curl(url(listed), tooLarge);
    expect(reply.status).toBe(413);
    expectAllowedAnswer(reply);
  });

  it("a call from an origin not allowed is answered without any Access-Control header (the browser then withholds it from the page)", async () => {
    for (const protocol of [connectCall, grpcWebCall]) {
      const reply = await call(listed, strangerOrigin, protocol, http2);
      expect(reply.status).toBe(200);
      expect(accessControlHeaders(reply)).toEqual({});
      expect(names(reply.headers["vary"])).toContain("origin");
    }
  });

  it("a call without an Origin (not from a browser page) gets no CORS header", async () => {
    const reply = await call(listed, undefined, connectCall, http2);
    expect(reply.status).toBe(200);
    expect(accessControlHeaders(reply)).toEqual({});
    expect(reply.headers["vary"]).toBeUndefined();
  });

  it('allowedOrigins "*": any origin gets `*` and no credentials header, on the preflight and the call', async () => {
    const answered = await preflight(anyOrigin, strangerOrigin, preflightOf["gRPC-Web"], http2);
    expect(answered.status).toBe(204);
    expect(answered.headers["access-control-allow-origin"]).toBe("*");
    expect(answered.headers["access-control-allow-credentials"]).toBeUndefined();
    expect(answered.headers["access-control-max-age"]).toBe("7200");
    const reply = await call(anyOrigin, strangerOrigin, grpcWebCall, http2);
    expect(reply.headers["access-control-allow-origin"]).toBe("*");
    expect(reply.headers["access-control-allow-credentials"]).toBeUndefined();
  });

  it("without the cors option (the default) a preflight is 405 and calls carry no Access-Control header", async () => {
    const refused = await preflight(withoutCors, appOrigin, preflightOf.Connect, http2);
    expect(refused.status).toBe(405);
    expect(accessControlHeaders(refused)).toEqual({});
    for (const protocol of [connectCall, grpcWebCall]) {
      const reply = await call(withoutCors, appOrigin, protocol, http2);
      expect(reply.status).toBe(200);
      expect(accessControlHeaders(reply)).toEqual({});
    }
  });

  it("an OPTIONS that is no preflight, or a preflight for a path no method has, is not answered as one (405)", async () => {
    const plain = await curl(url(listed), { method: "OPTIONS", http2, headers: { origin: appOrigin } });
    expect(plain.status).toBe(405);
    expect(accessControlHeaders(plain)).toEqual({});
    const unknownPath = await preflight(listed, appOrigin, preflightOf.Connect, http2, "/calculator.Calculator/nosuch");
    expect(unknownPath.status).toBe(405);
    expect(accessControlHeaders(unknownPath)).toEqual({});
  });

  it("a preflight carrying a body is refused (400): a preflight is bounded to no body", async () => {
    const withBody = { method: "OPTIONS", headers: { origin: appOrigin, "access-control-request-method": "POST" }, body: "x".repeat(100) };
    // Answered before the body is read, as the 413 above.
    const reply = http2 ? await http2Request(url(listed), withBody) : await curl(url(listed), withBody);
    expect(reply.status).toBe(400);
    expect(accessControlHeaders(reply)).toEqual({});
  });
});

describe("a newcomer refused at the connection limit (HTTP/1.1)", () => {
  it("its 503 carries the CORS headers too, when its request head came with its first bytes", async () => {
    let release!: () => void;
    let held!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const holding = new Promise<void>((resolve) => (held = resolve));
    // Holds the busy connection's call: an idle connection would be closed to make room.
    const holdSubtract: Interceptor = (next) => async (call) => {
      if (call.method.name === "subtract") {
        held();
        await released;
      }
      return next(call);
    };
    const port = await start({ maxConnections: 1, interceptors: [holdSubtract], cors: { allowedOrigins: [appOrigin] } });
    const busy = call(port, undefined, connectCall, false, "/calculator.Calculator/subtract");
    await holding;
    // Written at once, as a browser's request head arrives: the refusal reads it before answering.
    const socket = connect({ port, host: "127.0.0.1" });
    socket.on("error", () => {});
    let received = "";
    socket.on("data", (chunk: Buffer) => (received += chunk.toString("latin1")));
    socket.write(`POST ${addPath} HTTP/1.1\r\nHost: x\r\nOrigin: ${appOrigin}\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n{"a":1,"b":2}`);
    await once(socket, "close");
    release();
    expect((await busy).status).toBe(200);
    expect(received).toMatch(/^HTTP\/1\.1 503 /);
    expect(received).toContain(`access-control-allow-origin: ${appOrigin}\r\n`);
    expect(received).toContain("vary: Origin\r\n");
  });
});

describe("the cors option is checked when the server is made", () => {
  it.each([
    [{ allowedOrigins: "*", allowCredentials: true }, /cannot be combined with allowCredentials/],
    [{ allowedOrigins: [] }, /at least one origin/],
    [{ allowedOrigins: ["https://app.example.com/app"] }, /is not an origin/],
    [{ allowedOrigins: ["null"] }, /is not an origin/],
    [{ allowedOrigins: ["app.example.com"] }, /is not an origin/],
    [{ allowedOrigins: [appOrigin], allowedHeaders: ["bad header"] }, /is not a header name/],
    [{ allowedOrigins: [appOrigin], maxAgeSeconds: -1 }, /maxAgeSeconds/],
  ] as const)("%j is refused", (cors, message) => {
    expect(() => new Server({ logger: silentLogger, cors: cors as ServerOptions["cors"] })).toThrow(message);
  });

  it("origins are matched as browsers send them: case and the default port do not matter in the option", async () => {
    const port = await start({ cors: { allowedOrigins: ["HTTPS://App.Example.com:443/"] } });
    const reply = await preflight(port, appOrigin, preflightOf.Connect, false);
    expect(reply.headers["access-control-allow-origin"]).toBe(appOrigin);
  });
});
