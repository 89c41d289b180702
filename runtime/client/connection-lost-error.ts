import { Code, RpcError } from "../errors.js";

/**
 * How far a call got before its connection failed:
 * - `never-sent`: its bytes never reached the network (the connection could
 *   not be opened, or the call was still queued in this process when it
 *   died). No server saw it, so sending it elsewhere is safe for any method.
 * - `unanswered`: it was written, then the connection died before its reply
 *   arrived. The server may have run it, so only an idempotent method may be
 *   sent again.
 */
export type CallDelivery = "never-sent" | "unanswered";

/**
 * UNAVAILABLE because the connection to the provider was lost or could not be
 * made, saying how far the call got (`delivery`), so that a retry policy can
 * tell a call that is safe to send elsewhere from one that may have run.
 *
 * One instance is shared by every call a dead connection fails (one per kind of
 * delivery), so failing a connection costs no allocation per call.
 */
export class ConnectionLostError extends RpcError {
  constructor(
    readonly delivery: CallDelivery,
    /** The provider, `host:port`. */
    readonly address: string,
    /** What happened to the connection, e.g. "read ECONNRESET". */
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(Code.UNAVAILABLE, `${describeDelivery(delivery, address)}: ${detail}`, options);
  }

  /**
   * The error of a call on a connection that failed with `reason`; its cause is
   * what caused `reason` (the socket error), as if `reason` itself were reported.
   */
  static of(delivery: CallDelivery, address: string, reason: RpcError): ConnectionLostError {
    return new ConnectionLostError(delivery, address, reason.message, { cause: reason.cause ?? reason });
  }
}

function describeDelivery(delivery: CallDelivery, address: string): string {
  return delivery === "never-sent"
    ? `call never sent to ${address}`
    : `connection to ${address} lost before the call was answered`;
}

/** The delivery of a call that failed with `error`, if the error says (see ConnectionLostError). */
export function deliveryOf(error: unknown): CallDelivery | undefined {
  return error instanceof ConnectionLostError ? error.delivery : undefined;
}
