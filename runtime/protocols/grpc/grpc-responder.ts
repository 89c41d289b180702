import { constants, type OutgoingHttpHeaders, type ServerHttp2Stream } from "node:http2";
import { binaryCodec } from "../../codec/binary-codec.js";
import { Code, RpcError } from "../../errors.js";
import type { CallResponder } from "../../server/call-responder.js";
import type { ServerCall } from "../../server/server-call.js";
import { exceptionMessage } from "../http/exception-message.js";
import { framedMessage } from "./grpc-message.js";
import { declaredExceptionStatus, encodeGrpcMessage, grpcStatusOf } from "./grpc-status.js";
import { encodeStatus, typeUrlPrefix } from "./status-details.js";

const okHeaders: OutgoingHttpHeaders = { [constants.HTTP2_HEADER_STATUS]: 200, "content-type": "application/grpc" };
const okTrailers: OutgoingHttpHeaders = { "grpc-status": "0" };
// gRPC has no use for a Date header; leaving it out saves every call a header to write and read.
const replyOptions = { waitForTrailers: true, sendDate: false };
const endOptions = { endStream: true, sendDate: false };

/** The OK trailers of a reply, sent once node:http2 has written the reply's DATA. */
function sendOkTrailers(this: ServerHttp2Stream): void {
  this.sendTrailers(okTrailers);
}

/**
 * A response that is only trailers (HEADERS with END_STREAM): how a gRPC call
 * ends without a message, for errors and declared exceptions. If the client is
 * still sending, the rest of its request is not wanted: the stream is reset
 * with NO_ERROR after the trailers, as the spec asks.
 */
export function endWithStatus(stream: ServerHttp2Stream, status: number, message: string, extra?: OutgoingHttpHeaders): void {
  if (stream.destroyed || stream.closed || stream.headersSent) return;
  const headers: OutgoingHttpHeaders = {
    [constants.HTTP2_HEADER_STATUS]: 200,
    "content-type": "application/grpc",
    "grpc-status": String(status),
    "grpc-message": encodeGrpcMessage(message),
    ...extra,
  };
  stream.respond(headers, endOptions);
  if (!stream.readableEnded) stream.close(constants.NGHTTP2_NO_ERROR);
}

/** The reply of a oneway call, sent when the request is read: an empty response message and OK. */
export function acknowledgeOneway(stream: ServerHttp2Stream): void {
  sendMessage(stream, framedMessage(0, () => {}));
}

function sendMessage(stream: ServerHttp2Stream, frame: Buffer): void {
  if (stream.destroyed || stream.closed || stream.headersSent) return;
  stream.respond(okHeaders, replyOptions);
  stream.once("wantTrailers", sendOkTrailers);
  stream.end(frame);
}

/**
 * Turns a gRPC call's outcome into HTTP/2: a value as a response message
 * (`S_m_response`, whose bytes are those of a successful `S_m_result`) and OK;
 * a declared exception as status UNKNOWN with the exception in
 * `grpc-status-details-bin`; an error as its status. One per server (it needs
 * the message size limit); `call.tag` is the call's stream.
 */
export class GrpcResponder implements CallResponder {
  constructor(private readonly maxMessageBytes: number) {}

  callEnded(call: ServerCall): boolean {
    const stream = call.tag as ServerHttp2Stream;
    const wanted = !call.finished && !call.method.oneway && !stream.destroyed && !stream.closed;
    call.finished = true;
    return wanted;
  }

  replyValue(call: ServerCall, value: unknown): void {
    const stream = call.tag as ServerHttp2Stream;
    const body = binaryCodec.encodeOutcomeDeferred(call.method, { fieldId: 0, value });
    const length = body.byteLength;
    if (length > this.maxMessageBytes) {
      // The scratch body is dropped, not copied: the codec makes a new one next time.
      const error = new RpcError(Code.RESOURCE_EXHAUSTED, `${call.method.fullName}: reply of ${length} bytes is over the limit of ${this.maxMessageBytes}`);
      return this.replyError(call, error);
    }
    sendMessage(stream, framedMessage(length, (target, offset) => body.copyTo(target, offset)));
  }

  replyException(call: ServerCall, fieldId: number, exception: Error): void {
    const { typeName, bytes } = exceptionMessage(call.method, fieldId, exception);
    const message = exception.message === "" ? exception.name : `${exception.name}: ${exception.message}`;
    const status = encodeStatus(declaredExceptionStatus, message, [{ typeUrl: typeUrlPrefix + typeName, value: bytes }]);
    endWithStatus(call.tag as ServerHttp2Stream, declaredExceptionStatus, message, {
      "grpc-status-details-bin": Buffer.from(status.buffer, status.byteOffset, status.byteLength).toString("base64").replace(/=+$/, ""),
    });
  }

  replyError(call: ServerCall, error: RpcError): void {
    endWithStatus(call.tag as ServerHttp2Stream, grpcStatusOf[error.code], error.message);
  }

  callExpired(call: ServerCall): void {
    // The client gave up or is about to: tell it why, and stop waiting for the handler.
    call.finished = true;
    endWithStatus(call.tag as ServerHttp2Stream, grpcStatusOf.DEADLINE_EXCEEDED, `${call.method.fullName} passed its deadline`);
  }
}
