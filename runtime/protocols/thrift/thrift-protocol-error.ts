/** Why bytes could not be read as Thrift. */
export type ThriftErrorReason =
  /** A frame, a message or a declared string or container size over the limit. */
  | "too-large"
  /** Bytes that are not Thrift: a bad version, an unknown type id, a negative size, a message cut short. */
  | "malformed"
  /** Structs and containers nested deeper than the recursion limit. */
  | "too-deep";

/**
 * Bytes that break the Thrift protocol itself (not a value that breaks its IDL
 * type): the stream cannot be trusted past them, so the connection is closed.
 */
export class ThriftProtocolError extends Error {
  constructor(
    readonly reason: ThriftErrorReason,
    message: string,
  ) {
    super(message);
  }

  override get name(): string {
    return "ThriftProtocolError";
  }
}

/** The error of a read past the end of a message. */
export function truncated(what: string): ThriftProtocolError {
  return new ThriftProtocolError("malformed", `message ends in the middle of ${what}`);
}
