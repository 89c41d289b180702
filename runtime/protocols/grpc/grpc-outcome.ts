import { binaryCodec } from "../../codec/binary-codec.js";
import type { MethodDescriptor } from "../../descriptor.js";
import { Code, RpcError } from "../../errors.js";
import { exceptionFromMessage } from "../http/exception-message.js";
import { codeOfGrpcStatus, decodeGrpcMessage } from "./grpc-status.js";
import { decodeStatus } from "./status-details.js";

/** The return value carried by a response message (`S_m_response`: the bytes of a successful `S_m_result`). */
export function responseValue(method: MethodDescriptor, message: Uint8Array): unknown {
  const outcome = binaryCodec.decodeOutcome(method, message);
  if (outcome.fieldId !== 0) throw new RpcError(Code.INTERNAL, `${method.fullName}: the response message carries an exception`);
  return outcome.value;
}

/**
 * The error a non-OK status means for the caller: the declared exception in
 * `grpc-status-details-bin` when the method declares it (an instance of its
 * generated class), else an RpcError with the status's code and message.
 */
export function statusError(method: MethodDescriptor, status: number, message: string | undefined, detailsBin: string | undefined): Error {
  const text = decodeGrpcMessage(message ?? "");
  if (detailsBin !== undefined) {
    try {
      for (const detail of decodeStatus(Buffer.from(detailsBin, "base64")).details) {
        // `type.googleapis.com/calculator.DivideByZero`: the message name follows the last slash.
        const typeName = detail.typeUrl.slice(detail.typeUrl.lastIndexOf("/") + 1);
        const exception = exceptionFromMessage(method, typeName, detail.value);
        if (exception !== undefined) return exception;
      }
    } catch (error) {
      return new RpcError(Code.INTERNAL, `${method.fullName}: unreadable grpc-status-details-bin: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
  return new RpcError(codeOfGrpcStatus(status), text === "" ? `${method.fullName} failed with gRPC status ${status}` : text);
}

/** gRPC's code for a response that is not gRPC (PROTOCOL-HTTP2.md's table of HTTP statuses). */
export function httpStatusError(method: MethodDescriptor, httpStatus: number): RpcError {
  const code =
    httpStatus === 400 ? Code.INTERNAL
    : httpStatus === 401 ? Code.UNAUTHENTICATED
    : httpStatus === 403 ? Code.PERMISSION_DENIED
    : httpStatus === 404 ? Code.UNIMPLEMENTED
    : httpStatus === 429 || httpStatus === 502 || httpStatus === 503 || httpStatus === 504 ? Code.UNAVAILABLE
    : Code.UNKNOWN;
  return new RpcError(code, `${method.fullName}: the server answered HTTP ${httpStatus}, not gRPC`);
}
