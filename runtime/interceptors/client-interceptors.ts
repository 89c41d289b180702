import type { CallOptions, Invoker } from "../call.js";
import type { MethodDescriptor } from "../descriptor.js";
import { composeInterceptors, type CallHandler, type InterceptedCall, type Interceptor } from "./interceptor.js";

/** The client side's view of a call; `options` travel on to the wrapped invoker. */
class ClientCall implements InterceptedCall {
  readonly side = "client";
  readonly peer = undefined;
  readonly protocol = undefined;
  readonly context = undefined;
  readonly metadata: Record<string, string>;
  readonly deadline: number | undefined;
  readonly signal: AbortSignal | undefined;

  constructor(
    readonly method: MethodDescriptor,
    public args: readonly unknown[],
    readonly options: CallOptions,
  ) {
    this.metadata = { ...options.metadata };
    const timeoutMs = options.timeoutMs ?? method.hints.timeoutMs;
    this.deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
    this.signal = options.signal;
  }
}

/**
 * An Invoker that runs `interceptors` around every call of `invoker` (a Channel,
 * a RespChannel, a cluster invoker): `new CalculatorClient(withInterceptors(channel, logging, auth))`.
 * Metadata added by an interceptor is sent with the call.
 */
export function withInterceptors(invoker: Invoker, ...interceptors: Interceptor[]): Invoker {
  if (interceptors.length === 0) return invoker;
  const terminal: CallHandler = (call) => {
    // Object.assign then a set, not `{ ...options, metadata }`: Node 20 builds that spread-and-extend
    // slowly (~0.5 µs a call, measured), which is most of what an interceptor costs a client.
    const sent: CallOptions = Object.assign({}, (call as ClientCall).options);
    sent.metadata = call.metadata;
    return invoker.invoke(call.method, call.args, sent);
  };
  const chain = composeInterceptors(interceptors, terminal);
  return {
    invoke: (method, args, options = {}) => chain(new ClientCall(method, args, options)),
  };
}
