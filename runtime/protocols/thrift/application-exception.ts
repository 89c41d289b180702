import { Code, RpcError, isCode } from "../../errors.js";

/** TApplicationException's `type` field (doc/specs/thrift-rpc.md). */
export const ApplicationExceptionType = {
  UNKNOWN: 0,
  UNKNOWN_METHOD: 1,
  INVALID_MESSAGE_TYPE: 2,
  WRONG_METHOD_NAME: 3,
  BAD_SEQUENCE_ID: 4,
  MISSING_RESULT: 5,
  INTERNAL_ERROR: 6,
  PROTOCOL_ERROR: 7,
  INVALID_TRANSFORM: 8,
  INVALID_PROTOCOL: 9,
  UNSUPPORTED_CLIENT_TYPE: 10,
} as const;

/**
 * A TApplicationException from a Thrift server: the failure of a call that is
 * not one of the method's declared exceptions. Its code is the one an rpcgen
 * server put first in the message, else the closest one to the Thrift type.
 */
export class ThriftApplicationError extends RpcError {
  constructor(
    code: Code,
    message: string,
    /** The TApplicationException type the server sent. */
    readonly thriftType: number,
  ) {
    super(code, message);
  }
}

/**
 * What a Thrift caller is told for an error the dispatch made public: the type
 * closest to its code, and `<CODE> <message>` as the text (as over RESP), so an
 * rpcgen client gets the code back exactly and anyone else can read it.
 */
export function applicationExceptionOf(error: RpcError): { type: number; message: string } {
  return { type: typeOfCode(error.code), message: `${error.code} ${error.message}` };
}

function typeOfCode(code: Code): number {
  switch (code) {
    case Code.UNIMPLEMENTED:
      return ApplicationExceptionType.UNKNOWN_METHOD;
    case Code.INVALID_ARGUMENT:
      return ApplicationExceptionType.PROTOCOL_ERROR;
    case Code.INTERNAL:
      return ApplicationExceptionType.INTERNAL_ERROR;
    default:
      return ApplicationExceptionType.UNKNOWN;
  }
}

/** The error a caller sees for a TApplicationException. */
export function errorOfApplicationException(type: number, message: string): ThriftApplicationError {
  const space = message.indexOf(" ");
  const first = space > 0 ? message.slice(0, space) : message;
  if (isCode(first)) return new ThriftApplicationError(first, space > 0 ? message.slice(space + 1) : "", type);
  return new ThriftApplicationError(codeOfType(type), message === "" ? `TApplicationException of type ${type}` : message, type);
}

function codeOfType(type: number): Code {
  switch (type) {
    case ApplicationExceptionType.UNKNOWN_METHOD:
      return Code.UNIMPLEMENTED;
    case ApplicationExceptionType.PROTOCOL_ERROR:
      return Code.INVALID_ARGUMENT;
    case ApplicationExceptionType.UNKNOWN:
      return Code.UNKNOWN;
    default:
      return Code.INTERNAL;
  }
}
