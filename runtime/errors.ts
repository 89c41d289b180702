/**
 * One error class for everything the framework itself reports. Codes follow the
 * gRPC status set so that people who know gRPC read them without a table.
 * Exceptions declared in the IDL are not RpcErrors: they are generated classes
 * (see DeclaredException) and travel to the caller as themselves.
 */

export const Code = {
  CANCELLED: "CANCELLED",
  UNKNOWN: "UNKNOWN",
  INVALID_ARGUMENT: "INVALID_ARGUMENT",
  DEADLINE_EXCEEDED: "DEADLINE_EXCEEDED",
  NOT_FOUND: "NOT_FOUND",
  ALREADY_EXISTS: "ALREADY_EXISTS",
  PERMISSION_DENIED: "PERMISSION_DENIED",
  RESOURCE_EXHAUSTED: "RESOURCE_EXHAUSTED",
  FAILED_PRECONDITION: "FAILED_PRECONDITION",
  ABORTED: "ABORTED",
  OUT_OF_RANGE: "OUT_OF_RANGE",
  UNIMPLEMENTED: "UNIMPLEMENTED",
  INTERNAL: "INTERNAL",
  UNAVAILABLE: "UNAVAILABLE",
  DATA_LOSS: "DATA_LOSS",
  UNAUTHENTICATED: "UNAUTHENTICATED",
} as const;

export type Code = (typeof Code)[keyof typeof Code];

const knownCodes = new Set<string>(Object.values(Code));

export function isCode(value: unknown): value is Code {
  return typeof value === "string" && knownCodes.has(value);
}

/** Socket error codes that mean "this peer cannot be reached right now". */
const unavailableSocketCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ECONNABORTED",
  "EPIPE",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ERR_SOCKET_CLOSED",
  "ERR_STREAM_DESTROYED",
]);

const deadlineSocketCodes = new Set(["ETIMEDOUT", "ESOCKETTIMEDOUT"]);

export class RpcError extends Error {
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  override get name(): string {
    return "RpcError";
  }

  /**
   * Turns anything thrown into an RpcError without losing information: an RpcError
   * is returned as is, socket errors map to UNAVAILABLE or DEADLINE_EXCEEDED, an
   * AbortError to CANCELLED, anything else to `fallback` (UNKNOWN by default).
   * The original is always kept as `cause`.
   */
  static from(value: unknown, fallback: Code = Code.UNKNOWN): RpcError {
    if (value instanceof RpcError) return value;
    if (value instanceof Error) {
      const sysCode = (value as NodeJS.ErrnoException).code;
      if (typeof sysCode === "string") {
        if (unavailableSocketCodes.has(sysCode)) {
          return new RpcError(Code.UNAVAILABLE, value.message, { cause: value });
        }
        if (deadlineSocketCodes.has(sysCode)) {
          return new RpcError(Code.DEADLINE_EXCEEDED, value.message, { cause: value });
        }
        if (sysCode === "ABORT_ERR") {
          return new RpcError(Code.CANCELLED, value.message, { cause: value });
        }
      }
      if (value.name === "AbortError") {
        return new RpcError(Code.CANCELLED, value.message, { cause: value });
      }
      if (value.name === "TimeoutError") {
        return new RpcError(Code.DEADLINE_EXCEEDED, value.message, { cause: value });
      }
      return new RpcError(fallback, value.message, { cause: value });
    }
    return new RpcError(fallback, String(value), { cause: value });
  }
}
