import type { MethodDescriptor } from "../../descriptor.js";
import { WaitingCall, type WaitingCallOwner } from "../../client/waiting-call.js";

/** The side of a Thrift client connection a pending call reports back to. */
export type ThriftPendingCallOwner = WaitingCallOwner<ThriftPendingCall>;

/** A Thrift call waiting for the reply with its seqid. */
export class ThriftPendingCall extends WaitingCall<ThriftPendingCall> {
  constructor(
    readonly seqid: number,
    /** Undefined for a ping. */
    method: MethodDescriptor | undefined,
    signal: AbortSignal | undefined,
    owner: ThriftPendingCallOwner,
  ) {
    super(method, signal, owner);
  }
}
