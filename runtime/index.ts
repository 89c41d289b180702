export * from "./descriptor.js";
export * from "./errors.js";
export * from "./call.js";
export { DeclaredException } from "./declared-exception.js";
export type { Frame } from "./wire/frame.js";
export { FrameKind, CodecId, FrameFlags } from "./wire/frame.js";
export type { MessageCodec, Outcome } from "./codec/codec.js";
export type { MethodTable, RegisteredMethod } from "./dispatch-contract.js";
export { ServiceTable } from "./server/service-table.js";
