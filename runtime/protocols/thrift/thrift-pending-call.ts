import { WaitingCall, type WaitingCallOwner } from "../../client/waiting-call.js";

/** The side of a Thrift client connection a pending call reports back to. */
export type ThriftPendingCallOwner = WaitingCallOwner<ThriftPendingCall>;

/** A Thrift call waiting for the reply with its seqid (its `id`). */
export class ThriftPendingCall extends WaitingCall<ThriftPendingCall> {}
