import type { CallContext } from "../call.js";
import type { MethodDescriptor } from "../descriptor.js";
import type { RegisteredMethod } from "../dispatch-contract.js";
import type { CallHandler, InterceptedCall } from "./interceptor.js";

/** A server call as interceptors see it; made only when the server has interceptors. */
export class ServerCallView implements InterceptedCall {
  constructor(
    readonly registered: RegisteredMethod,
    public args: readonly unknown[],
    readonly context: CallContext & { readonly protocol: string },
  ) {}

  get side(): "server" {
    return "server";
  }

  get options(): undefined {
    return undefined;
  }

  get method(): MethodDescriptor {
    return this.context.method;
  }

  get metadata(): Record<string, string> {
    return this.context.metadata as Record<string, string>;
  }

  get deadline(): number | undefined {
    return this.context.deadline;
  }

  get signal(): AbortSignal {
    return this.context.signal;
  }

  get peer(): string {
    return this.context.peer;
  }

  get protocol(): string {
    return this.context.protocol;
  }
}

/**
 * The innermost handler of a server's interceptor chain: the method's handler,
 * its outcome as a promise whatever it returned or threw. An interceptor handed
 * it as `next` knows nothing else runs inside it (the server's observer then
 * runs the handler itself: server-call-observer.ts).
 */
export const invokeHandler: CallHandler = (view) => {
  const { registered, context } = view as ServerCallView;
  try {
    return Promise.resolve(registered.invoke(view.args, context));
  } catch (error) {
    return Promise.reject(error);
  }
};
