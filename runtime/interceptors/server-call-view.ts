import type { CallContext } from "../call.js";
import type { MethodDescriptor } from "../descriptor.js";
import type { RegisteredMethod } from "../dispatch-contract.js";
import type { InterceptedCall } from "./interceptor.js";

/** A server call as interceptors see it; made only when the server has interceptors. */
export class ServerCallView implements InterceptedCall {
  readonly side = "server";
  readonly options = undefined;

  constructor(
    readonly registered: RegisteredMethod,
    public args: readonly unknown[],
    readonly context: CallContext & { readonly protocol: string },
  ) {}

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
