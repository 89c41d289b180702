import { gunzip } from "node:zlib";
import type { RegisteredMethod } from "../../dispatch-contract.js";
import { Code, RpcError } from "../../errors.js";
import { ServerCall } from "../../server/server-call.js";
import { headersToMetadata } from "../http/headers-to-metadata.js";
import type { HttpExchange, HttpHandler } from "../http/http-exchange.js";
import { RpcPaths } from "../http/rpc-paths.js";
import { connectCodecOf, type ConnectCodec } from "./connect-codecs.js";
import { connectResponder, respondError, type ConnectCallTag } from "./connect-responder.js";

/** Headers of HTTP and of the Connect protocol itself, not the caller's metadata. */
const reservedHeaders = new Set(["content-type", "content-length", "content-encoding", "accept-encoding", "host", "connection", "keep-alive", "transfer-encoding", "te", "upgrade"]);

function reservedHeader(name: string): boolean {
  return reservedHeaders.has(name) || name.startsWith("connect-");
}

/**
 * The Connect protocol's unary calls (connectrpc.com/docs/protocol):
 * `POST /<package>.<Service>/<method>` with an `application/proto` or
 * `application/json` body, over HTTP/1.1 and HTTP/2 alike, so curl and Connect
 * clients can call any method through the server's one dispatch.
 * `Connect-Timeout-Ms` is the deadline, other headers are metadata, a gzipped
 * body (`Content-Encoding: gzip`) is inflated within the request size limit.
 */
export function createConnectHandler(): HttpHandler {
  return (exchange) => {
    const codec = connectCodecOf(exchange.headers["content-type"]);
    const registered = RpcPaths.of(exchange.env.dispatcher.table).lookup(exchange.path);
    if (registered === undefined) {
      // The metadata is read here only for the refusal's span to join the caller's trace (its traceparent).
      const metadata = headersToMetadata(exchange.headers, reservedHeader);
      const { message } = exchange.env.dispatcher.unknownMethod(exchange.path.slice(0, 200), false, exchange.peer, "connect", metadata);
      // 404 as Connect servers answer an unknown procedure; clients read it as unimplemented either way.
      return respondError(exchange, Code.UNIMPLEMENTED, message, [], 404);
    }
    if (codec === undefined) {
      const given = String(exchange.headers["content-type"] ?? "none").slice(0, 100);
      const error = new RpcError(Code.UNIMPLEMENTED, `content type ${given} is not supported: use application/json or application/proto`);
      refusedEarly(exchange, registered, error);
      return respondError(exchange, error.code, error.message, [], 415);
    }
    const problem = requestProblem(exchange);
    if (problem !== undefined) {
      refusedEarly(exchange, registered, problem);
      return respondError(exchange, problem.code, problem.message);
    }
    const timeout = exchange.headers["connect-timeout-ms"];
    const deadline = timeout === undefined ? undefined : Date.now() + Number(timeout);
    const call = new ServerCall(registered.service, registered.method, 0, deadline, headersToMetadata(exchange.headers, reservedHeader), exchange.peer, "connect", connectResponder);
    call.tag = { exchange, codec } satisfies ConnectCallTag;
    exchange.onAbort(() => {
      if (call.finished) return;
      call.finished = true;
      call.abort(new RpcError(Code.CANCELLED, `${registered.method.fullName} was cancelled by the client`));
    });
    if (registered.method.oneway) exchange.respond(200, { "content-type": codec.contentType }, codec.emptyResponse);
    if (exchange.headers["content-encoding"] !== "gzip" || exchange.body.length === 0) return run(registered, call, codec, exchange.body);
    const limit = exchange.env.limits.frameLimits.maxFrameBytes;
    gunzip(exchange.body, { maxOutputLength: limit }, (error, inflated) => {
      if (error !== null) return exchange.env.dispatcher.refuse(call, new RpcError(Code.INVALID_ARGUMENT, `the request body does not inflate within ${limit} bytes: ${error.message}`));
      run(registered, call, codec, inflated);
    });
  };
}

/** What makes a request unservable once its method and codec are known. */
function requestProblem(exchange: HttpExchange): RpcError | undefined {
  const version = exchange.headers["connect-protocol-version"];
  if (version !== undefined && version !== "1") return new RpcError(Code.INVALID_ARGUMENT, `connect-protocol-version ${String(version).slice(0, 20)} is not supported: use 1`);
  const encoding = String(exchange.headers["content-encoding"] ?? "identity");
  if (encoding !== "identity" && encoding !== "gzip") {
    return new RpcError(Code.UNIMPLEMENTED, `content-encoding ${encoding.slice(0, 50)} is not supported: use gzip or identity`);
  }
  const timeout = exchange.headers["connect-timeout-ms"];
  if (timeout !== undefined && !/^\d{1,10}$/.test(String(timeout))) {
    return new RpcError(Code.INVALID_ARGUMENT, `malformed connect-timeout-ms ${JSON.stringify(String(timeout).slice(0, 20))}`);
  }
  return undefined;
}

/**
 * Reports a call to a known method this handler answered `error` itself, before
 * the dispatch, so that it is counted and traced (in the caller's trace) like
 * the dispatch's refusals.
 */
function refusedEarly(exchange: HttpExchange, registered: RegisteredMethod, error: RpcError): void {
  const metadata = headersToMetadata(exchange.headers, reservedHeader);
  exchange.env.dispatcher.refusedEarly(registered.method, registered.method.fullName, "connect", exchange.peer, error, metadata);
}

function run(registered: RegisteredMethod, call: ServerCall, codec: ConnectCodec, body: Buffer): void {
  const dispatcher = (call.tag as ConnectCallTag).exchange.env.dispatcher;
  let args: unknown[];
  try {
    args = codec.decodeArgs(registered.method, body);
  } catch (error) {
    return dispatcher.refuse(call, dispatcher.badArguments(registered, error));
  }
  dispatcher.run(registered, call, args);
}
