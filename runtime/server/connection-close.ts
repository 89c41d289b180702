import { sharedDeadlineWheel } from "../deadline/shared-deadline-wheel.js";
import { Code, RpcError } from "../errors.js";
import type { ServerCall } from "./server-call.js";

/** Time a peer gets to close its side after ours is ended (or refused) before the socket is destroyed. */
const closeGraceMs = 1000;

/**
 * Destroys the socket (or a connection that destroys its socket with whatever
 * runs over it, as an HTTP/2 session) if the peer has not closed its side
 * within the grace time.
 */
export function destroyAfterGrace(closing: { destroy(): void }): void {
  // What to destroy rides along as the timer's argument: no closure for it.
  setTimeout(destroyNow, closeGraceMs, closing).unref();
}

function destroyNow(closing: { destroy(): void }): void {
  closing.destroy();
}

/** What the handlers of a closed connection's running calls see as their signal's reason. */
export function connectionClosedError(peer: string): RpcError {
  return new RpcError(Code.CANCELLED, `connection from ${peer} closed`);
}

/**
 * The connection closed under running calls: no reply can reach their caller,
 * so each is finished, leaves the deadline wheel, and has its handler's signal
 * aborted with `reason`.
 */
export function abortCalls(calls: Iterable<ServerCall>, reason: RpcError): void {
  for (const call of calls) {
    call.finished = true;
    if (call.wheelBucket !== undefined) sharedDeadlineWheel.remove(call);
    call.abort(reason);
  }
}
