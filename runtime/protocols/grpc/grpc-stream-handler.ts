import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";
import type { ServerHttp2Stream } from "node:http2";
import { gunzip } from "node:zlib";
import { binaryCodec } from "../../codec/binary-codec.js";
import type { RegisteredMethod } from "../../dispatch-contract.js";
import { Code, RpcError } from "../../errors.js";
import { ServerCall } from "../../server/server-call.js";
import { serverEnvironmentOf, type ConnectionEnvironment } from "../../server/server-protocol.js";
import { headersToMetadata } from "../http/headers-to-metadata.js";
import type { Http2StreamHandler } from "../http/http2-stream-handler.js";
import { RpcPaths } from "../http/rpc-paths.js";
import { UnaryRequestReader, type RequestProblem } from "./grpc-message.js";
import { GrpcResponder, acknowledgeOneway, endWithStatus } from "./grpc-responder.js";
import { grpcStatusOf } from "./grpc-status.js";
import { parseGrpcTimeout } from "./grpc-timeout.js";

/** An unfinished request at least this large is dropped first when the server's input budget is spent. */
const largeInputBytes = 64 * 1024;
const acceptEncoding = { "grpc-accept-encoding": "identity,gzip" };

/** Headers of gRPC itself, not the caller's metadata. */
function reservedHeader(name: string): boolean {
  return name.startsWith("grpc-") || name === "content-type" || name === "te" || name === "content-length" || name === "accept-encoding";
}

/** One responder per server, even where each connection has an environment of its own (it knows no connection: a call's stream is its tag). */
const responders = new WeakMap<ConnectionEnvironment, GrpcResponder>();

function responderFor(env: ConnectionEnvironment): GrpcResponder {
  const server = serverEnvironmentOf(env);
  let responder = responders.get(server);
  if (responder === undefined) {
    // The server's reply limit: a connection's frame limit is lowered only for requests, until it authenticates.
    responder = new GrpcResponder(server.limits.frameLimits.maxFrameBytes);
    responders.set(server, responder);
  }
  return responder;
}

/**
 * gRPC over HTTP/2 (grpc/doc/PROTOCOL-HTTP2.md), unary calls: the path names
 * the method, `grpc-timeout` gives the deadline, other headers are metadata,
 * the DATA is one length-prefixed `S_m_args` message (gzip-compressed if
 * `grpc-encoding: gzip`), and the call goes to the server's one dispatch.
 */
export const grpcStreamHandler: Http2StreamHandler = {
  accepts(contentType: string | undefined): boolean {
    if (contentType === undefined || !contentType.startsWith("application/grpc")) return false;
    const next = contentType.charCodeAt(16);
    // application/grpc, application/grpc+proto, …; not application/grpc-web.
    return Number.isNaN(next) || next === 0x2b || next === 0x3b;
  },

  serve(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, env: ConnectionEnvironment, peer: string): void {
    const path = String(headers[":path"] ?? "");
    const refusal = checkRequest(headers);
    if (refusal !== undefined) {
      refusedEarly(env, RpcPaths.of(env.dispatcher.table).lookup(path), path, headers, peer, refusal.error);
      return endWithStatus(stream, grpcStatusOf[refusal.error.code], refusal.error.message, refusal.extra);
    }
    const registered = RpcPaths.of(env.dispatcher.table).lookup(path);
    if (registered === undefined) {
      // The metadata is read here only for the refusal's span to join the caller's trace (its traceparent).
      const { message } = env.dispatcher.unknownMethod(path.slice(0, 200), false, peer, "grpc", headersToMetadata(headers, reservedHeader));
      return endWithStatus(stream, grpcStatusOf.UNIMPLEMENTED, message);
    }
    const timeoutMs = parseGrpcTimeout(headers["grpc-timeout"]);
    if (Number.isNaN(timeoutMs)) {
      const error = new RpcError(Code.INTERNAL, `malformed grpc-timeout ${JSON.stringify(headers["grpc-timeout"])}`);
      refusedEarly(env, registered, path, headers, peer, error);
      return endWithStatus(stream, grpcStatusOf.INTERNAL, error.message);
    }
    const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
    const call = new ServerCall(registered.service, registered.method, stream.id ?? 0, deadline, headersToMetadata(headers, reservedHeader), peer, "grpc", responderFor(env));
    call.tag = stream;
    new UnaryCallReader(stream, registered, call, env, headers["grpc-encoding"] === "gzip").start();
  },
};

/** What makes a request unservable before its method is even looked up. */
function checkRequest(headers: IncomingHttpHeaders): { error: RpcError; extra?: OutgoingHttpHeaders } | undefined {
  if (headers[":method"] !== "POST") return { error: new RpcError(Code.UNIMPLEMENTED, "gRPC calls are POST requests") };
  const contentType = headers["content-type"]!;
  if (contentType !== "application/grpc" && !contentType.startsWith("application/grpc+proto") && !contentType.startsWith("application/grpc;")) {
    return { error: new RpcError(Code.UNIMPLEMENTED, `content type ${contentType.slice(0, 100)} is not supported: use application/grpc+proto`) };
  }
  const encoding = headers["grpc-encoding"];
  if (encoding !== undefined && encoding !== "identity" && encoding !== "gzip") {
    return { error: new RpcError(Code.UNIMPLEMENTED, `grpc-encoding ${String(encoding).slice(0, 50)} is not supported`), extra: acceptEncoding };
  }
  return undefined;
}

/**
 * Reports a call this handler answered `error` itself, before the dispatch, so
 * that it is counted and traced (in the caller's trace) like the dispatch's
 * refusals: as its method when the path names one, as an unknown method otherwise.
 */
function refusedEarly(env: ConnectionEnvironment, registered: RegisteredMethod | undefined, path: string, headers: IncomingHttpHeaders, peer: string, error: RpcError): void {
  const metadata = headersToMetadata(headers, reservedHeader);
  env.dispatcher.refusedEarly(registered?.method, registered?.method.fullName ?? path.slice(0, 200), "grpc", peer, error, metadata);
}

/**
 * Reads one unary call's request off its stream and hands it to the dispatch.
 * The bytes held while the request arrives count against the server's input
 * budget; a client that resets the stream cancels the call (its handler's
 * signal aborts with CANCELLED).
 */
class UnaryCallReader {
  private readonly reader: UnaryRequestReader;
  private reported = 0;
  private reading = true;

  constructor(
    private readonly stream: ServerHttp2Stream,
    private readonly registered: RegisteredMethod,
    private readonly call: ServerCall,
    private readonly env: ConnectionEnvironment,
    private readonly gzipped: boolean,
  ) {
    this.reader = new UnaryRequestReader(env.limits.frameLimits.maxFrameBytes);
  }

  start(): void {
    this.stream.on("data", this.onData);
    this.stream.once("end", this.onEnd);
    this.stream.once("close", this.onClose);
  }

  private readonly onData = (chunk: Buffer): void => {
    if (!this.reading) return;
    const problem = this.reader.push(chunk);
    if (problem !== undefined) return this.refuse(problem);
    const held = this.reader.held;
    if (held < largeInputBytes && this.reported === 0) return;
    const budget = this.env.inputBudget;
    this.reported = budget.update(this.reported, held);
    if (budget.exceeded && held >= largeInputBytes) {
      this.env.logger.warn({ peer: this.call.peer }, "closing HTTP/2 connection: the server's budget for unfinished requests is spent");
      this.stopReading();
      this.stream.session?.destroy();
    }
  };

  private readonly onEnd = (): void => {
    if (!this.reading) return;
    this.stopReading();
    const request = this.reader.finish();
    if ("kind" in request) return this.refuse(request);
    const dispatcher = this.env.dispatcher;
    if (this.call.method.oneway) acknowledgeOneway(this.stream);
    if (!request.compressed) return this.run(request.message);
    if (!this.gzipped) return dispatcher.refuse(this.call, new RpcError(Code.INTERNAL, "a compressed message without grpc-encoding"));
    // Inflated off the event loop, and never past the message size limit (gzip bombs).
    gunzip(request.message, { maxOutputLength: this.env.limits.frameLimits.maxFrameBytes }, (error, inflated) => {
      if (error !== null) return dispatcher.refuse(this.call, new RpcError(Code.RESOURCE_EXHAUSTED, `${this.call.method.fullName}: the request message does not inflate within the limit: ${error.message}`));
      this.run(inflated);
    });
  };

  private readonly onClose = (): void => {
    this.stopReading();
    if (this.call.finished) return;
    // The client reset the stream, or the connection went away: nobody waits for the answer.
    this.call.finished = true;
    this.call.abort(new RpcError(Code.CANCELLED, `${this.call.method.fullName} was cancelled by the client`));
  };

  private run(message: Buffer): void {
    const dispatcher = this.env.dispatcher;
    let args: unknown[];
    try {
      args = binaryCodec.decodeArgs(this.call.method, message);
    } catch (error) {
      return dispatcher.refuse(this.call, dispatcher.badArguments(this.registered, error));
    }
    dispatcher.run(this.registered, this.call, args);
  }

  private refuse(problem: RequestProblem): void {
    this.stopReading();
    const error =
      problem.kind === "too-large"
        ? new RpcError(Code.RESOURCE_EXHAUSTED, `${this.call.method.fullName}: request message of ${problem.length} bytes is over the limit of ${this.env.limits.frameLimits.maxFrameBytes}`)
        : new RpcError(Code.INTERNAL, `${this.call.method.fullName}: ${problem.detail}`);
    // The dispatch answers no oneway call, but a gRPC client waits for a status whatever the method.
    if (this.call.method.oneway) endWithStatus(this.stream, grpcStatusOf[error.code], error.message);
    this.env.dispatcher.refuse(this.call, error);
  }

  private stopReading(): void {
    if (!this.reading) return;
    this.reading = false;
    this.stream.off("data", this.onData);
    if (this.reported !== 0) this.reported = this.env.inputBudget.update(this.reported, 0);
  }
}
