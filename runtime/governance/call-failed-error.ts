import { RpcError } from "../errors.js";

/** One failed attempt of a call: the provider and what it ran into. */
export interface FailedAttempt {
  readonly address: string;
  readonly error: unknown;
}

/**
 * The error of a governed call that failed after several attempts, or that was
 * not tried again for a reason the caller should know (the retry budget was
 * spent, the deadline was too close...). Its message names every provider tried
 * with what happened there, then why no further attempt was made; its code is
 * the last attempt's, its cause the last attempt's error.
 *
 *     Store.read failed after 2 attempts: [a:1] UNAVAILABLE: connection to a:1 lost before
 *     the call was answered: read ECONNRESET; [b:1] UNAVAILABLE: busy (retry not attempted:
 *     retry budget exhausted)
 */
export class CallFailedError extends RpcError {
  constructor(
    readonly method: string,
    /** Every attempt, in order. */
    readonly attempts: readonly FailedAttempt[],
    /** Why no further attempt was made, when there is more to say than "they all failed". */
    readonly notRetried: string | undefined,
  ) {
    const last = RpcError.from(attempts[attempts.length - 1]!.error);
    const tried = attempts.map(({ address, error }) => `[${address}] ${describe(error)}`).join("; ");
    const what =
      attempts.length === 1
        ? `${method} failed: ${tried}`
        : `${method} failed after ${attempts.length} attempts: ${tried}`;
    super(last.code, notRetried === undefined ? what : `${what} (retry not attempted: ${notRetried})`, { cause: last });
  }
}

function describe(error: unknown): string {
  const rpcError = RpcError.from(error);
  return `${rpcError.code}: ${rpcError.message}`;
}

/**
 * The error to report for a call whose attempts all failed: the one attempt's
 * own error when there is nothing to add, else a CallFailedError.
 */
export function callFailure(method: string, attempts: readonly FailedAttempt[], notRetried?: string): unknown {
  if (attempts.length === 1 && notRetried === undefined) return attempts[0]!.error;
  return new CallFailedError(method, attempts, notRetried);
}
