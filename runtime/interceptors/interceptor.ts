import type { CallContext, CallOptions } from "../call.js";
import type { MethodDescriptor } from "../descriptor.js";

/**
 * A call as an interceptor sees it, on the client or the server side: the
 * method, its arguments (an interceptor may replace them), the metadata (a
 * client interceptor may add entries before they are sent), the deadline, and
 * on the server the caller and the handler's CallContext.
 */
export interface InterceptedCall {
  readonly side: "client" | "server";
  readonly method: MethodDescriptor;
  args: readonly unknown[];
  readonly metadata: Record<string, string>;
  /** Absolute deadline (epoch ms), if the call has one. */
  readonly deadline: number | undefined;
  readonly signal: AbortSignal | undefined;
  /** Server side: `host:port` of the caller. */
  readonly peer: string | undefined;
  /** Server side: the protocol that carried the call ("rpcgen", "resp", ...). */
  readonly protocol: string | undefined;
  /** Server side: what the handler receives (principal, TLS peer, signal). */
  readonly context: CallContext | undefined;
  /** Client side: the caller's per-call options. */
  readonly options: CallOptions | undefined;
}

/** The rest of the chain: resolves with the call's result or rejects with its error. */
export type CallHandler = (call: InterceptedCall) => Promise<unknown>;

/**
 * Code around every call, the same shape on both sides (as in connect-es):
 *
 * ```ts
 * const timing: Interceptor = (next) => async (call) => {
 *   const started = performance.now();
 *   try {
 *     return await next(call);
 *   } finally {
 *     log(call.method.fullName, performance.now() - started);
 *   }
 * };
 * ```
 *
 * An interceptor may short-circuit (return a value or throw without calling
 * `next`), change the arguments, add metadata (client side), and sees the
 * outcome. Interceptors run in the order given: the first is outermost.
 */
export type Interceptor = (next: CallHandler) => CallHandler;

/** Composes `interceptors` around `terminal`, the first outermost. */
export function composeInterceptors(interceptors: readonly Interceptor[], terminal: CallHandler): CallHandler {
  let handler = terminal;
  for (let i = interceptors.length - 1; i >= 0; i--) handler = interceptors[i]!(handler);
  return handler;
}
