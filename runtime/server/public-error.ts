import { Code, RpcError } from "../errors.js";

/** Codes whose message describes the server's own failure, not the caller's request. */
const serverSideCodes = new Set<Code>([Code.INTERNAL, Code.UNKNOWN, Code.DATA_LOSS]);

/** What a caller is told when the server failed: the code, never the details. */
export const internalError = new RpcError(Code.INTERNAL, "internal error");

/**
 * The error a caller sees for a failure that is not a declared exception, the
 * same over every protocol: an RpcError with a client-facing code passes through
 * as it is; an INTERNAL, UNKNOWN or DATA_LOSS RpcError and anything else thrown
 * become `INTERNAL internal error` (their text may hold credentials, paths or
 * SQL), unless `exposeDetails` (a development option) is on.
 * `hidden` tells the caller to log the original.
 */
export function publicError(error: unknown, exposeDetails: boolean): { error: RpcError; hidden: boolean } {
  if (error instanceof RpcError && !serverSideCodes.has(error.code)) return { error, hidden: false };
  if (!exposeDetails) return { error: internalError, hidden: true };
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof RpcError ? error.code : Code.INTERNAL;
  return { error: new RpcError(code, message, { cause: error }), hidden: true };
}
