import type { RpcError } from "../errors.js";
import type { ServerCall } from "./server-call.js";

/**
 * What a protocol connection does with the outcome of a call the dispatch ran.
 * The dispatch decides WHAT the caller is told (the outcome policy); the
 * protocol only turns it into bytes.
 */
export interface CallResponder {
  /**
   * The handler is done (or the call was refused): release its in-flight slot.
   * Returns true when a reply should still be sent: false after a cancel, an
   * expired deadline or a closed connection, and for oneway calls.
   */
  callEnded(call: ServerCall): boolean;
  /** Sends the handler's return value. May throw if it cannot be encoded (the handler broke its IDL type). */
  replyValue(call: ServerCall, value: unknown): void;
  /** Sends a declared exception as result field `fieldId`. May throw if it cannot be encoded. */
  replyException(call: ServerCall, fieldId: number, exception: Error): void;
  /** Sends an error the caller may see (already made public by the outcome policy). Never throws. */
  replyError(call: ServerCall, error: RpcError): void;
  /** The call's deadline passed while its handler ran: the caller has given up. */
  callExpired(call: ServerCall): void;
}
