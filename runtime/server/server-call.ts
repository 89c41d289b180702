import type { CallContext } from "../call.js";
import type { DeadlineEntry } from "../deadline/deadline-wheel.js";
import type { ExpiringEntry } from "../deadline/shared-deadline-wheel.js";
import type { MethodDescriptor, ServiceDescriptor } from "../descriptor.js";
import { Code, RpcError } from "../errors.js";
import type { Principal } from "../security/principal.js";
import type { TlsPeerIdentity } from "../security/tls-peer.js";
import type { CallResponder } from "./call-responder.js";

/**
 * One call running on the server, whatever protocol carried it: the handler's
 * CallContext, the deadline-wheel entry, and what the protocol needs to send
 * (or drop) its reply. The AbortSignal is created only if the handler reads it,
 * so calls that never look at it do not pay for an AbortController.
 */
export class ServerCall implements CallContext, ExpiringEntry {
  deadlineAt = 0;
  wheelBucket: DeadlineEntry[] | undefined = undefined;
  wheelSlot = 0;
  /** Set once the reply is sent or can no longer be (deadline, cancel, closed connection). */
  finished = false;
  /** Whatever the protocol keeps per call: a request id, a reply slot, a codec. */
  tag: unknown = undefined;
  /** Who is calling, set by the connection's guard (undefined on a server without authentication). */
  principal: Principal | undefined = undefined;
  /** The verified client certificate, set by the connection's guard on a mutual-TLS connection. */
  tlsPeer: TlsPeerIdentity | undefined = undefined;
  private controller: AbortController | undefined;
  private abortReason: RpcError | undefined;

  constructor(
    readonly service: ServiceDescriptor,
    readonly method: MethodDescriptor,
    readonly requestId: number,
    readonly deadline: number | undefined,
    readonly metadata: Readonly<Record<string, string>>,
    readonly peer: string,
    readonly protocol: string,
    readonly responder: CallResponder,
  ) {}

  get signal(): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController();
      if (this.abortReason !== undefined) this.controller.abort(this.abortReason);
    }
    return this.controller.signal;
  }

  expire(): void {
    if (this.finished) return;
    this.abort(new RpcError(Code.DEADLINE_EXCEEDED, `${this.method.fullName} passed its deadline`));
    this.responder.callExpired(this);
  }

  /** Aborts the handler's signal (once); the reason reaches `signal.reason`. */
  abort(reason: RpcError): void {
    if (this.abortReason !== undefined) return;
    this.abortReason = reason;
    this.controller?.abort(reason);
  }
}
