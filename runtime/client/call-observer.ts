/**
 * Told of a call's outcome just before its promise would settle, so that a
 * layer above a Channel (governance) can book the call and decide what its
 * caller sees without wrapping the promise in one of its own: no `then`, no
 * closure and no extra promise per call, and no extra microtask before the
 * caller resumes.
 */
export interface CallObserver {
  /**
   * The call was answered with a value; its promise resolves with it right
   * after. `clock` says when the answer arrived.
   */
  answered(clock: ArrivalClock): void;
  /**
   * The call failed with `error` (an RpcError, or the declared exception the
   * service answered with). From here on the observer settles the call's
   * promise, through `resolve` or `reject`, now or later.
   */
  failed(error: unknown, resolve: (value: unknown) => void, reject: (reason: unknown) => void): void;
}

/**
 * When the answer being handled arrived. A connection reads the clock once
 * for all the replies of one read from its socket, and only if an observer
 * asks: a clock read costs about as much as the rest of an attempt's
 * bookkeeping, and replies come in batches.
 */
export interface ArrivalClock {
  /** A Date.now() reading taken no earlier than the answer's arrival, and shared with answers that arrived with it. */
  arrivedAt(): number;
}

/** The clock of answers that were not read from a socket in a batch: reads the clock each time. */
export const wallClock: ArrivalClock = { arrivedAt: Date.now };
