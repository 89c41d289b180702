import type { CallContext } from "../call.js";
import type { ServiceDescriptor } from "../descriptor.js";
import type { MethodTable, RegisteredMethod } from "../dispatch-contract.js";
import type { MethodOffloader } from "../offload/method-offloader.js";
import { promisedArguments } from "./argument-check.js";

type HandlerFunction = (...args: unknown[]) => unknown;

/**
 * `fn.call(handler, ...args, context)`, with the common arities written out: a
 * spread call builds an array per call, and this runs once per call served.
 */
function callHandler(fn: HandlerFunction, handler: object, args: readonly unknown[], context: CallContext): unknown {
  switch (args.length) {
    case 0:
      return fn.call(handler, context);
    case 1:
      return fn.call(handler, args[0], context);
    case 2:
      return fn.call(handler, args[0], args[1], context);
    case 3:
      return fn.call(handler, args[0], args[1], args[2], context);
    default:
      return fn.call(handler, ...args, context);
  }
}

/**
 * The services a server exposes, by wire name. Registration checks the handler
 * up front so that a missing method is a startup error, not an UNIMPLEMENTED
 * reply discovered in production.
 */
export class ServiceTable implements MethodTable {
  private readonly methods = new Map<string, RegisteredMethod>();
  private readonly services = new Map<string, ServiceDescriptor>();

  /** `offloader` decides, once per method at registration, which methods run in worker threads (docs/OFFLOAD.md). */
  constructor(private readonly offloader?: MethodOffloader) {}

  add(service: ServiceDescriptor, handler: object): void {
    if (this.services.has(service.name)) {
      throw new TypeError(`service ${service.name} is already registered`);
    }
    const missing: string[] = [];
    const entries: RegisteredMethod[] = [];
    for (const method of Object.values(service.methods)) {
      // An offloaded method's handler lives in a module loaded by the worker threads, not in `handler`.
      const offloaded = this.offloader?.invokerFor(service, method);
      if (offloaded !== undefined) {
        entries.push({ service, method, promisedArguments: promisedArguments(method), invoke: offloaded });
        continue;
      }
      const fn = (handler as Record<string, unknown>)[method.jsName];
      // A method named like an Object.prototype member (toString, valueOf) must be
      // implemented by the handler itself, not silently served by the inherited one.
      const inherited = (Object.prototype as unknown as Record<string, unknown>)[method.jsName];
      if (typeof fn !== "function" || fn === inherited) {
        missing.push(method.jsName);
        continue;
      }
      const bound = fn as HandlerFunction;
      entries.push({
        service,
        method,
        promisedArguments: promisedArguments(method),
        invoke: (args: readonly unknown[], context: CallContext): unknown => callHandler(bound, handler, args, context),
      });
    }
    if (missing.length > 0) {
      throw new TypeError(`handler for service ${service.name} lacks method(s): ${missing.join(", ")}`);
    }
    this.services.set(service.name, service);
    for (const entry of entries) this.methods.set(entry.method.fullName, entry);
  }

  lookup(fullName: string): RegisteredMethod | undefined {
    return this.methods.get(fullName);
  }

  all(): Iterable<RegisteredMethod> {
    return this.methods.values();
  }

  serviceNames(): string[] {
    return [...this.services.keys()];
  }
}
