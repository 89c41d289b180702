import type { CallOptions } from "../call.js";
import type { MethodDescriptor } from "../descriptor.js";
import { Code, RpcError } from "../errors.js";
import type { BreakerPermit } from "./circuit-breaker.js";
import type { Endpoint } from "./endpoint.js";
import { isDeclaredException, isHealthFailure } from "./failure-classification.js";
import { untilAborted } from "./until-aborted.js";

/** A provider chosen for one attempt, with the breaker's permission. */
export interface Choice {
  readonly endpoint: Endpoint;
  readonly permit: BreakerPermit;
}

/** What is fixed for every attempt of one call. */
export interface AttemptRequest {
  readonly method: MethodDescriptor;
  readonly args: readonly unknown[];
  readonly options: CallOptions | undefined;
  readonly routeKey: string | undefined;
  readonly attemptTimeoutMs: number | undefined;
  readonly remainingMs: () => number;
  readonly healthCodes: ReadonlySet<Code>;
  readonly now: () => number;
  /** Addresses tried so far, in order. */
  readonly attempts: string[];
}

/**
 * Sends one attempt to one provider and books its outcome: in-flight count,
 * latency, counters and the breaker. Rejects with a declared exception or an
 * RpcError; rejects as soon as `signal` aborts even if the transport does not.
 */
export async function runAttempt(request: AttemptRequest, choice: Choice, signal: AbortSignal): Promise<unknown> {
  const { endpoint, permit } = choice;
  request.attempts.push(endpoint.key);
  endpoint.inFlight += 1;
  endpoint.calls += 1;
  const started = request.now();
  const attemptController = new AbortController();
  const attemptSignal = AbortSignal.any([signal, attemptController.signal]);
  let timer: NodeJS.Timeout | undefined;
  if (request.attemptTimeoutMs !== undefined && request.attemptTimeoutMs < request.remainingMs()) {
    const limit = request.attemptTimeoutMs;
    timer = setTimeout(
      () =>
        attemptController.abort(
          new RpcError(Code.DEADLINE_EXCEEDED, `attempt timeout of ${limit} ms exceeded on ${endpoint.key}`),
        ),
      limit,
    );
  }
  const remaining = Math.min(request.remainingMs(), request.attemptTimeoutMs ?? Infinity);
  try {
    const result = await untilAborted(
      endpoint.transport.invoke(request.method, request.args, {
        ...request.options,
        routeKey: request.routeKey,
        signal: attemptSignal,
        // At least 1 ms: a transport may read 0 as "no deadline", and the shared deadline still applies.
        timeoutMs: Number.isFinite(remaining) ? Math.max(1, Math.ceil(remaining)) : undefined,
      }),
      attemptSignal,
    );
    endpoint.observeLatency(request.now() - started);
    endpoint.breaker.recordSuccess(permit);
    return result;
  } catch (thrown) {
    const error = isDeclaredException(thrown) ? thrown : RpcError.from(thrown);
    if (error instanceof RpcError && error.code === Code.CANCELLED) {
      endpoint.breaker.recordNeutral(permit);
    } else if (isHealthFailure(error, request.healthCodes)) {
      endpoint.failures += 1;
      endpoint.observeLatency(request.now() - started);
      endpoint.breaker.recordFailure(permit);
    } else {
      // The provider answered (a declared exception, a rejected argument...): it is alive.
      if (!isDeclaredException(error)) endpoint.failures += 1;
      endpoint.breaker.recordSuccess(permit);
    }
    throw error;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    endpoint.callEnded();
  }
}
