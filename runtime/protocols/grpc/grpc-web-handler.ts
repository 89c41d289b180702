import type { IncomingHttpHeaders } from "node:http";
import { gunzip } from "node:zlib";
import { binaryCodec } from "../../codec/binary-codec.js";
import type { RegisteredMethod } from "../../dispatch-contract.js";
import { Code, RpcError } from "../../errors.js";
import type { CallResponder } from "../../server/call-responder.js";
import { ServerCall } from "../../server/server-call.js";
import { headersToMetadata } from "../http/headers-to-metadata.js";
import type { HttpExchange, HttpHandler } from "../http/http-exchange.js";
import { RpcPaths } from "../http/rpc-paths.js";
import { unaryCallEnded } from "../http/unary-call-ended.js";
import { framedMessage, UnaryRequestReader } from "./grpc-message.js";
import { exceptionStatus, framedReply } from "./grpc-responder.js";
import { declaredExceptionStatus, encodeGrpcMessage, grpcStatusOf } from "./grpc-status.js";
import { parseGrpcTimeout } from "./grpc-timeout.js";

const binaryHeaders = { "content-type": "application/grpc-web+proto" };
const textHeaders = { "content-type": "application/grpc-web-text+proto" };
/** The body's last frame holds the trailers: flag 0x80, then `name: value\r\n` lines. */
const trailerFlag = 0x80;
const okTrailerFrame = trailerFrame("grpc-status: 0\r\n");
/** An empty response message: the reply of a oneway call. */
const emptyMessage = framedMessage(0, () => {});

/** Headers of HTTP, gRPC and gRPC-Web themselves, not the caller's metadata. */
const reservedHeaders = new Set(["content-type", "content-length", "accept-encoding", "host", "connection", "keep-alive", "transfer-encoding", "te", "upgrade", "x-grpc-web", "x-user-agent"]);

function reservedHeader(name: string): boolean {
  return reservedHeaders.has(name) || name.startsWith("grpc-");
}

/** True for gRPC-Web's content types (binary or text, any message codec): the requests this handler answers. */
export function isGrpcWeb(type: string | undefined): boolean {
  return type !== undefined && type.startsWith("application/grpc-web");
}

function trailerFrame(lines: string): Buffer {
  const payload = Buffer.from(lines, "latin1");
  const frame = Buffer.allocUnsafe(5 + payload.length);
  frame[0] = trailerFlag;
  frame.writeUInt32BE(payload.length, 1);
  payload.copy(frame, 5);
  return frame;
}

/** Where a gRPC-Web call is answered, and in which form: binary, or base64 text (`application/grpc-web-text`). */
interface GrpcWebTag {
  readonly exchange: HttpExchange;
  readonly text: boolean;
}

/** The whole response body, HTTP 200 as gRPC-Web answers every call. */
function respondBody(tag: GrpcWebTag, body: Buffer): void {
  if (tag.text) tag.exchange.respond(200, textHeaders, body.toString("base64"));
  else tag.exchange.respond(200, binaryHeaders, body);
}

/** A response with no message: only the trailer frame, with the status. */
function respondStatus(tag: GrpcWebTag, status: number, message: string, detailsBin?: string): void {
  const details = detailsBin === undefined ? "" : `grpc-status-details-bin: ${detailsBin}\r\n`;
  respondBody(tag, trailerFrame(`grpc-status: ${status}\r\ngrpc-message: ${encodeGrpcMessage(message)}\r\n${details}`));
}

/** The form of a gRPC-Web content type, or undefined for one this server does not speak (`+json`, …). */
function formOf(type: string): "binary" | "text" | undefined {
  if (type === "application/grpc-web" || type.startsWith("application/grpc-web+proto") || type.startsWith("application/grpc-web;")) return "binary";
  if (type === "application/grpc-web-text" || type.startsWith("application/grpc-web-text+proto") || type.startsWith("application/grpc-web-text;")) return "text";
  return undefined;
}

/**
 * A text-form body: base64, possibly several padded chunks one after the other
 * (a client may encode each write on its own), decoded chunk by chunk.
 */
function decodeText(body: Buffer): Buffer {
  const text = body.toString("latin1").replace(/\s+/g, "");
  const chunks = text.split(/(?<==)(?=[^=])/);
  return chunks.length === 1 ? Buffer.from(text, "base64") : Buffer.concat(chunks.map((chunk) => Buffer.from(chunk, "base64")));
}

/**
 * gRPC-Web (grpc/doc/PROTOCOL-WEB.md), unary calls, over HTTP/1.1 and HTTP/2:
 * `POST /<package>.<Service>/<method>` with `content-type:
 * application/grpc-web+proto` (or `application/grpc-web`; the `-text` forms
 * carry the same bytes in base64), the request body one length-prefixed
 * `S_m_args` message, the response body the `S_m_response` message and then
 * the trailers as a frame of their own, since HTTP/1.1 and browsers have no
 * trailers. Status codes, metadata, deadlines and declared exceptions are
 * those of gRPC; the call goes to the one dispatch.
 */
export function createGrpcWebHandler(): HttpHandler {
  return (exchange) => {
    const type = String(exchange.headers["content-type"]);
    const form = formOf(type);
    const tag: GrpcWebTag = { exchange, text: form === "text" };
    if (form === undefined) {
      const error = new RpcError(Code.UNIMPLEMENTED, `content type ${type.slice(0, 100)} is not supported: use application/grpc-web+proto`);
      refusedEarly(exchange, RpcPaths.of(exchange.env.dispatcher.table).lookup(exchange.path), error);
      return respondStatus(tag, grpcStatusOf.UNIMPLEMENTED, error.message);
    }
    const registered = RpcPaths.of(exchange.env.dispatcher.table).lookup(exchange.path);
    if (registered === undefined) {
      // The metadata is read here only for the refusal's span to join the caller's trace (its traceparent).
      const metadata = headersToMetadata(exchange.headers, reservedHeader);
      return respondStatus(tag, grpcStatusOf.UNIMPLEMENTED, exchange.env.dispatcher.unknownMethod(exchange.path.slice(0, 200), false, exchange.peer, "grpc-web", metadata).message);
    }
    const problem = requestProblem(exchange.headers);
    if (problem !== undefined) {
      refusedEarly(exchange, registered, problem);
      return respondStatus(tag, grpcStatusOf[problem.code], problem.message);
    }
    const timeoutMs = parseGrpcTimeout(exchange.headers["grpc-timeout"]);
    const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
    const call = new ServerCall(registered.service, registered.method, 0, deadline, headersToMetadata(exchange.headers, reservedHeader), exchange.peer, "grpc-web", grpcWebResponder);
    call.tag = tag;
    exchange.onAbort(() => {
      if (call.finished) return;
      call.finished = true;
      call.abort(new RpcError(Code.CANCELLED, `${registered.method.fullName} was cancelled by the client`));
    });
    const dispatcher = exchange.env.dispatcher;
    const limit = exchange.env.limits.frameLimits.maxFrameBytes;
    const reader = new UnaryRequestReader(limit);
    const request = reader.push(tag.text ? decodeText(exchange.body) : exchange.body) ?? reader.finish();
    if ("kind" in request) {
      const error =
        request.kind === "too-large"
          ? new RpcError(Code.RESOURCE_EXHAUSTED, `${registered.method.fullName}: request message of ${request.length} bytes is over the limit of ${limit}`)
          : new RpcError(Code.INTERNAL, `${registered.method.fullName}: ${request.detail}`);
      // The dispatch answers no oneway call, but a gRPC-Web client waits for a status whatever the method.
      if (registered.method.oneway) respondStatus(tag, grpcStatusOf[error.code], error.message);
      return dispatcher.refuse(call, error);
    }
    if (registered.method.oneway) respondBody(tag, Buffer.concat([emptyMessage, okTrailerFrame]));
    if (!request.compressed) return run(registered, call, exchange, request.message);
    if (exchange.headers["grpc-encoding"] !== "gzip") return dispatcher.refuse(call, new RpcError(Code.INTERNAL, "a compressed message without grpc-encoding"));
    gunzip(request.message, { maxOutputLength: limit }, (error, inflated) => {
      if (error !== null) return dispatcher.refuse(call, new RpcError(Code.RESOURCE_EXHAUSTED, `${registered.method.fullName}: the request message does not inflate within the limit: ${error.message}`));
      run(registered, call, exchange, inflated);
    });
  };
}

function requestProblem(headers: IncomingHttpHeaders): RpcError | undefined {
  const encoding = headers["grpc-encoding"];
  if (encoding !== undefined && encoding !== "identity" && encoding !== "gzip") {
    return new RpcError(Code.UNIMPLEMENTED, `grpc-encoding ${String(encoding).slice(0, 50)} is not supported`);
  }
  if (Number.isNaN(parseGrpcTimeout(headers["grpc-timeout"]))) return new RpcError(Code.INTERNAL, `malformed grpc-timeout ${JSON.stringify(headers["grpc-timeout"])}`);
  return undefined;
}

/**
 * Reports a call this handler answered `error` itself, before the dispatch, so
 * that it is counted and traced (in the caller's trace) like the dispatch's
 * refusals: as its method when the path names one, as an unknown method otherwise.
 */
function refusedEarly(exchange: HttpExchange, registered: RegisteredMethod | undefined, error: RpcError): void {
  const metadata = headersToMetadata(exchange.headers, reservedHeader);
  exchange.env.dispatcher.refusedEarly(registered?.method, registered?.method.fullName ?? exchange.path.slice(0, 200), "grpc-web", exchange.peer, error, metadata);
}

function run(registered: RegisteredMethod, call: ServerCall, exchange: HttpExchange, message: Buffer): void {
  const dispatcher = exchange.env.dispatcher;
  let args: unknown[];
  try {
    args = binaryCodec.decodeArgs(call.method, message);
  } catch (error) {
    return dispatcher.refuse(call, dispatcher.badArguments(registered, error));
  }
  dispatcher.run(registered, call, args);
}

/** A gRPC-Web call's outcome as its one response body; `call.tag` is its GrpcWebTag. */
const grpcWebResponder: CallResponder = {
  callEnded(call: ServerCall): boolean {
    return unaryCallEnded(call, (call.tag as GrpcWebTag).exchange.finished);
  },

  replyValue(call: ServerCall, value: unknown): void {
    const tag = call.tag as GrpcWebTag;
    const reply = framedReply(call, value, tag.exchange.env.limits.frameLimits.maxFrameBytes, okTrailerFrame);
    if (reply instanceof RpcError) return respondStatus(tag, grpcStatusOf[reply.code], reply.message);
    respondBody(tag, reply);
  },

  replyException(call: ServerCall, fieldId: number, exception: Error): void {
    const { message, detailsBin } = exceptionStatus(call, fieldId, exception);
    respondStatus(call.tag as GrpcWebTag, declaredExceptionStatus, message, detailsBin);
  },

  replyError(call: ServerCall, error: RpcError): void {
    respondStatus(call.tag as GrpcWebTag, grpcStatusOf[error.code], error.message);
  },

  callExpired(call: ServerCall): void {
    call.finished = true;
    respondStatus(call.tag as GrpcWebTag, grpcStatusOf.DEADLINE_EXCEEDED, `${call.method.fullName} passed its deadline`);
  },
};
