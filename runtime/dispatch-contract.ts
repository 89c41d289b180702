import type { CallContext } from "./call.js";
import type { MethodDescriptor, ServiceDescriptor } from "./descriptor.js";

/** A registered method, found by its wire name `<Service>.<method>`. */
export interface RegisteredMethod {
  readonly service: ServiceDescriptor;
  readonly method: MethodDescriptor;
  /** Positions of the arguments the handler is promised a value for (computed once, checked per call). */
  readonly promisedArguments: readonly number[];
  /**
   * Calls the user's handler with the arguments and the context, and returns what
   * it returned: its value, or a promise (any thenable) of it. Throws what the
   * handler throws. The server's dispatch answers a value at once, without a
   * promise, and awaits a promise.
   */
  invoke(args: readonly unknown[], context: CallContext): unknown;
}

/**
 * The server's table of services, shared by every protocol the server speaks
 * (binary frames and RESP), so that a method behaves the same whichever way it is called.
 */
export interface MethodTable {
  lookup(fullName: string): RegisteredMethod | undefined;
  /** Every registered method, for `COMMAND` listings and diagnostics. */
  all(): Iterable<RegisteredMethod>;
}
