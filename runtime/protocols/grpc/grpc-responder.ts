import { constants, type OutgoingHttpHeaders, type ServerHttp2Stream } from "node:http2";
import { binaryCodec } from "../../codec/binary-codec.js";
import { Code, RpcError } from "../../errors.js";
import type { CallResponder } from "../../server/call-responder.js";
import type { ServerCall } from "../../server/server-call.js";
import { exceptionMessage } from "../http/exception-message.js";
import { unaryCallEnded } from "../http/unary-call-ended.js";
import { framedMessage, messagePrefixBytes } from "./grpc-message.js";
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
 * The response message of a call's return value (`S_m_response`, whose bytes are
 * those of a successful `S_m_result`) with its 5-byte prefix, and `trailer`
 * after it in the same buffer (gRPC-Web's trailer frame); or, when the message
 * is over `limit` bytes, the RESOURCE_EXHAUSTED error to answer instead (the
 * codec's scratch body is then dropped, not copied: it makes a new one next time).
 * Throws if the value does not fit the IDL type. Shared by gRPC and gRPC-Web.
 */
export function framedReply(call: ServerCall, value: unknown, limit: number, trailer?: Buffer): Buffer | RpcError {
  const body = binaryCodec.encodeOutcomeDeferred(call.method, { fieldId: 0, value });
  const length = body.byteLength;
  if (length > limit) return new RpcError(Code.RESOURCE_EXHAUSTED, `${call.method.fullName}: reply of ${length} bytes is over the limit of ${limit}`);
  const frame = Buffer.allocUnsafe(messagePrefixBytes + length + (trailer?.length ?? 0));
  frame[0] = 0;
  frame.writeUInt32BE(length, 1);
  body.copyTo(frame, messagePrefixBytes);
  trailer?.copy(frame, messagePrefixBytes + length);
  return frame;
}

/**
 * A declared exception as gRPC says it (status UNKNOWN): its `grpc-message`
 * text and its `grpc-status-details-bin`, a google.rpc.Status whose one detail
 * is the exception's message (unpadded base64). Shared by gRPC and gRPC-Web.
 * Throws if the exception's fields do not fit their IDL types.
 */
export function exceptionStatus(call: ServerCall, fieldId: number, exception: Error): { message: string; detailsBin: string } {
  const { typeName, bytes } = exceptionMessage(call.method, fieldId, exception);
  const message = exception.message === "" ? exception.name : `${exception.name}: ${exception.message}`;
  const status = encodeStatus(declaredExceptionStatus, message, [{ typeUrl: typeUrlPrefix + typeName, value: bytes }]);
  return { message, detailsBin: Buffer.from(status.buffer, status.byteOffset, status.byteLength).toString("base64").replace(/=+$/, "") };
}

/**
 * Turns a gRPC call's outcome into HTTP/2: a value as a response message and
 * OK; a declared exception as status UNKNOWN with the exception in
 * `grpc-status-details-bin`; an error as its status. One per server (it needs
 * the message size limit); `call.tag` is the call's stream.
 */
export class GrpcResponder implements CallResponder {
  constructor(private readonly maxMessageBytes: number) {}

  callEnded(call: ServerCall): boolean {
    const stream = call.tag as ServerHttp2Stream;
    return unaryCallEnded(call, stream.destroyed || stream.closed);
  }

  replyValue(call: ServerCall, value: unknown): void {
    const reply = framedReply(call, value, this.maxMessageBytes);
    if (reply instanceof RpcError) return this.replyError(call, reply);
    sendMessage(call.tag as ServerHttp2Stream, reply);
  }

  replyException(call: ServerCall, fieldId: number, exception: Error): void {
    const { message, detailsBin } = exceptionStatus(call, fieldId, exception);
    endWithStatus(call.tag as ServerHttp2Stream, declaredExceptionStatus, message, { "grpc-status-details-bin": detailsBin });
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
