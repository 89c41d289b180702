import { Code, RpcError } from "../../errors.js";
import type { CallResponder } from "../../server/call-responder.js";
import type { ServerCall } from "../../server/server-call.js";
import { exceptionMessage } from "../http/exception-message.js";
import type { HttpExchange } from "../http/http-exchange.js";
import { unaryCallEnded } from "../http/unary-call-ended.js";
import type { ConnectCodec } from "./connect-codecs.js";
import { connectError, type ConnectErrorDetail } from "./connect-errors.js";
import { protoJsonWriterFor } from "./proto-json-write.js";

/** What a Connect call keeps until it is answered: where, and in which codec. */
export interface ConnectCallTag {
  readonly exchange: HttpExchange;
  readonly codec: ConnectCodec;
}

const jsonHeaders = { "content-type": "application/json" };

/** Sends a Connect error: its HTTP status and the JSON error body. */
export function respondError(exchange: HttpExchange, code: Code, message: string, details?: readonly ConnectErrorDetail[], httpStatus?: number): void {
  const { status, body } = connectError(code, message, details, httpStatus);
  exchange.respond(status, jsonHeaders, body);
}

/**
 * Turns a Connect call's outcome into its HTTP response: a value as 200 with
 * the `S_m_response` message in the request's codec; a declared exception as
 * `unknown` (HTTP 500, as in gRPC) with the exception in `details` (its proto
 * name, its bytes, and its JSON under `debug`); an error as its Connect code.
 */
export const connectResponder: CallResponder = {
  callEnded(call: ServerCall): boolean {
    return unaryCallEnded(call, (call.tag as ConnectCallTag).exchange.finished);
  },

  replyValue(call: ServerCall, value: unknown): void {
    const { exchange, codec } = call.tag as ConnectCallTag;
    const body = codec.encodeResponse(call.method, value);
    const limit = exchange.env.limits.frameLimits.maxFrameBytes;
    const length = typeof body === "string" ? Buffer.byteLength(body) : body.length;
    if (length > limit) {
      return respondError(exchange, Code.RESOURCE_EXHAUSTED, `${call.method.fullName}: reply of ${length} bytes is over the limit of ${limit}`);
    }
    exchange.respond(200, { "content-type": codec.contentType }, body);
  },

  replyException(call: ServerCall, fieldId: number, exception: Error): void {
    const { exchange } = call.tag as ConnectCallTag;
    const { typeName, bytes } = exceptionMessage(call.method, fieldId, exception);
    const field = call.method.result.fields.find((f) => f.id === fieldId)!;
    const debugJson = protoJsonWriterFor(field.type)(exception);
    const message = exception.message === "" ? exception.name : `${exception.name}: ${exception.message}`;
    respondError(exchange, Code.UNKNOWN, message, [{ type: typeName, value: bytes, debugJson }]);
  },

  replyError(call: ServerCall, error: RpcError): void {
    respondError((call.tag as ConnectCallTag).exchange, error.code, error.message);
  },

  callExpired(call: ServerCall): void {
    call.finished = true;
    respondError((call.tag as ConnectCallTag).exchange, Code.DEADLINE_EXCEEDED, `${call.method.fullName} passed its deadline`);
  },
};
