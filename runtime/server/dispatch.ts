import { resultShapeOf } from "../codec/result-shape.js";
import { sharedDeadlineWheel } from "../deadline/shared-deadline-wheel.js";
import type { MethodDescriptor } from "../descriptor.js";
import type { MethodTable, RegisteredMethod } from "../dispatch-contract.js";
import { Code, RpcError } from "../errors.js";
import type { Logger } from "../logger.js";
import { composeInterceptors, type CallHandler, type Interceptor } from "../interceptors/interceptor.js";
import { invokeHandler, ServerCallView } from "../interceptors/server-call-view.js";
import { checkArguments } from "./argument-check.js";
import { declaredExceptionFieldId } from "./declared-exception-field.js";
import { internalError, publicError } from "./public-error.js";
import type { CallGuard, GuardVerdict } from "./call-guard.js";
import type { ServerCall } from "./server-call.js";

/**
 * Told of each call ended before its handler runs (an unknown method,
 * arguments that do not decode or check, a guard's refusal, a call that arrived
 * after its deadline, a call a protocol refused itself: see refusedEarly), which
 * interceptors never see: for metrics, logs and spans. `method` is undefined
 * for an unknown method; `metadata` is what the protocol read, if any. A server
 * without one pays nothing, and accepted calls never reach it.
 */
export interface DispatchObserver {
  refused(
    method: MethodDescriptor | undefined,
    fullName: string,
    protocol: string,
    peer: string,
    error: RpcError,
    metadata: Readonly<Record<string, string>> | undefined,
  ): void;
}

/** How many calls are in `responder.callEnded` now, all dispatchers together (see Dispatcher.run). */
let ending = 0;

/**
 * THE server dispatch: every protocol the port speaks turns its bytes into a
 * method name, decoded arguments and a ServerCall, and hands them here. From
 * then on a call behaves the same whichever protocol carried it: the argument
 * check, the deadline, the handler, and one outcome policy (a declared exception
 * as itself; an RpcError with a client-facing code as it is; anything else as
 * INTERNAL without details, logged here).
 */
export class Dispatcher {
  /** The server's interceptors around the handler call, or undefined when it has none (no cost per call then). */
  private readonly intercepted: CallHandler | undefined;
  /**
   * The guard of a secured connection (authentication, TLS peer): set only on a
   * connection's own dispatcher (see withGuard). The server's shared dispatcher
   * has none, and its calls pay one field check for security.
   */
  readonly guard: CallGuard | undefined = undefined;
  /** On a connection's own dispatcher, the server's shared one: it runs a call once the guard admitted it. */
  private readonly unguarded: Dispatcher | undefined = undefined;

  constructor(
    readonly table: MethodTable,
    private readonly logger: Logger,
    private readonly exposeErrorDetails: boolean,
    interceptors: readonly Interceptor[] = [],
    private readonly observer?: DispatchObserver,
  ) {
    this.intercepted =
      interceptors.length === 0
        ? undefined
        : // Interceptors await `next`: the handler's outcome as a promise, whatever it returned or threw.
          composeInterceptors(interceptors, invokeHandler);
  }

  /**
   * The dispatcher of one secured connection: this one, with `guard` asked before
   * every call (runtime/security/connection-guard.ts).
   */
  withGuard(guard: CallGuard): Dispatcher {
    return Object.create(this, { guard: { value: guard }, unguarded: { value: this } }) as Dispatcher;
  }

  lookup(fullName: string): RegisteredMethod | undefined {
    return this.table.lookup(fullName);
  }

  /**
   * The error for a call to a method the server does not have; a oneway one is
   * logged, since nobody else will hear of it. `metadata`, when the protocol has
   * it, lets the observer's span join the caller's trace.
   */
  unknownMethod(fullName: string, oneway: boolean, peer: string, protocol: string, metadata?: Readonly<Record<string, string>>): RpcError {
    const error = new RpcError(Code.UNIMPLEMENTED, `unknown method ${JSON.stringify(fullName)}`);
    if (oneway) this.logger.warn({ peer, protocol, method: fullName.slice(0, 200) }, "oneway call to an unknown method dropped");
    this.observer?.refused(undefined, fullName, protocol, peer, error, metadata);
    return error;
  }

  /**
   * Reports a call a protocol answered with `error` itself, before making a
   * ServerCall (the first call of a connection the server refused, RESP's
   * NOAUTH), so that it is counted and traced like the dispatch's refusals.
   */
  refusedEarly(method: MethodDescriptor | undefined, fullName: string, protocol: string, peer: string, error: RpcError, metadata?: Readonly<Record<string, string>>): void {
    this.observer?.refused(method, fullName, protocol, peer, error, metadata);
  }

  /**
   * The error for arguments a protocol could not decode: always the caller's
   * fault (INVALID_ARGUMENT), never logged as a server error.
   */
  badArguments(registered: RegisteredMethod, error: unknown): RpcError {
    if (error instanceof RpcError && error.code === Code.INVALID_ARGUMENT) return error;
    if (error instanceof RangeError) {
      // A stack overflow while decoding: the argument is nested too deeply to read.
      return new RpcError(Code.INVALID_ARGUMENT, `${registered.method.fullName}: an argument is nested too deeply`);
    }
    const message = error instanceof Error ? error.message : String(error);
    return new RpcError(Code.INVALID_ARGUMENT, `${registered.method.fullName}: ${message}`, { cause: error });
  }

  /**
   * Runs a call whose arguments are decoded. The protocol has counted the call as
   * in flight; every path ends in `responder.callEnded`, then (if wanted) one reply.
   */
  run(registered: RegisteredMethod, call: ServerCall, args: unknown[]): void {
    const guard = this.guard;
    if (guard !== undefined) {
      const verdict = guard.admit(registered, call);
      if (verdict !== true) {
        this.runOnceAdmitted(verdict, registered, call, args);
        return;
      }
    }
    try {
      checkArguments(registered.method, registered.promisedArguments, args);
    } catch (error) {
      this.refuse(call, error as RpcError);
      return;
    }
    const deadline = call.deadline;
    // Calls queued behind slow handlers or a held connection may already be late.
    if (deadline !== undefined && Date.now() >= deadline) {
      this.refuse(call, new RpcError(Code.DEADLINE_EXCEEDED, `${call.method.fullName} arrived after its deadline`));
      return;
    }
    // A handler that returns a value (not a promise) is answered at once: no promise, no microtask.
    // Not so for a call a protocol starts while another one ends (releasing a held call from
    // callEnded): that call's outcome waits a microtask, so the ending call's reply goes first.
    let outcome: unknown;
    let pending: boolean;
    try {
      outcome = this.intercepted === undefined ? registered.invoke(args, call) : this.intercepted(new ServerCallView(registered, args, call));
      pending = ending !== 0 || isPromiseLike(outcome);
    } catch (error) {
      if (ending === 0) {
        this.failed(call, error);
        return;
      }
      outcome = Promise.reject(error);
      pending = true;
    }
    if (!pending) {
      this.succeeded(call, outcome);
      return;
    }
    // Only a call still running can pass its deadline: the wheel aborts its signal then.
    if (deadline !== undefined && !call.finished) {
      call.deadlineAt = deadline;
      sharedDeadlineWheel.add(call);
    }
    const settled = outcome instanceof Promise ? (outcome as Promise<unknown>) : Promise.resolve(outcome);
    settled.then(
      (value) => this.succeeded(call, value),
      (error: unknown) => this.failed(call, error),
    );
  }

  /** A call the guard refused, or is still deciding on (an asynchronous authenticator or authorizer). */
  private runOnceAdmitted(verdict: Exclude<GuardVerdict, true>, registered: RegisteredMethod, call: ServerCall, args: unknown[]): void {
    if (verdict instanceof RpcError) {
      this.refuse(call, verdict);
      return;
    }
    verdict.then(
      (settled) => {
        // The connection closed or the caller cancelled while the guard decided.
        if (call.finished) this.end(call);
        else if (settled === true) this.unguarded!.run(registered, call, args);
        else this.refuse(call, settled);
      },
      (error: unknown) => {
        this.logFailure(call, error, "call guard failed");
        this.refuse(call, new RpcError(Code.UNAUTHENTICATED, "authentication failed"));
      },
    );
  }

  /** Ends a call that never reached its handler. */
  refuse(call: ServerCall, error: RpcError): void {
    this.observer?.refused(call.method, call.method.fullName, call.protocol, call.peer, error, call.metadata);
    if (call.method.oneway) {
      this.logger.debug({ peer: call.peer, method: call.method.fullName, code: error.code, err: error.message }, "oneway call dropped");
    }
    if (this.end(call)) call.responder.replyError(call, error);
  }

  private succeeded(call: ServerCall, value: unknown): void {
    if (value == null && !call.method.oneway && !resultShapeOf(call.method.result).isVoid) {
      this.failed(call, new TypeError(`${call.method.fullName} returned ${value} but its IDL type promises a value`));
      return;
    }
    if (!this.end(call)) return;
    try {
      call.responder.replyValue(call, value);
    } catch (error) {
      this.logFailure(call, error, "handler result could not be encoded");
      call.responder.replyError(call, internalError);
    }
  }

  private failed(call: ServerCall, thrown: unknown): void {
    const fieldId = call.method.oneway ? undefined : declaredExceptionFieldId(call.method, thrown);
    if (fieldId === undefined) {
      const { error, hidden } = publicError(thrown, this.exposeErrorDetails);
      // Undeclared failures stay here: the caller learns only that something broke.
      if (hidden) this.logFailure(call, thrown, "handler failed");
      if (this.end(call)) call.responder.replyError(call, error);
      return;
    }
    if (!this.end(call)) return;
    try {
      call.responder.replyException(call, fieldId, thrown as Error);
    } catch (error) {
      this.logFailure(call, error, "declared exception could not be encoded");
      call.responder.replyError(call, internalError);
    }
  }

  private end(call: ServerCall): boolean {
    if (call.wheelBucket !== undefined) sharedDeadlineWheel.remove(call);
    ending++;
    try {
      return call.responder.callEnded(call);
    } finally {
      ending--;
    }
  }

  private logFailure(call: ServerCall, error: unknown, message: string): void {
    this.logger.error({ peer: call.peer, protocol: call.protocol, method: call.method.fullName, err: error }, message);
  }
}

/**
 * True for a promise or any other thenable (settled through Promise.resolve, as
 * `await` would); anything else is the handler's value itself.
 */
function isPromiseLike(value: unknown): boolean {
  if (value === null || (typeof value !== "object" && typeof value !== "function")) return false;
  return typeof (value as { then?: unknown }).then === "function";
}
