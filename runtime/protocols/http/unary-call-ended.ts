import type { ServerCall } from "../../server/server-call.js";

/**
 * CallResponder.callEnded of a unary call answered in one piece (gRPC, gRPC-Web,
 * Connect): its reply is still wanted unless it was answered already (a cancel,
 * an expired deadline), the method is oneway (answered when its request was
 * read) or nobody is left to read it (`gone`: the client reset or left); the
 * call is finished either way.
 */
export function unaryCallEnded(call: ServerCall, gone: boolean): boolean {
  const wanted = !call.finished && !call.method.oneway && !gone;
  call.finished = true;
  return wanted;
}
