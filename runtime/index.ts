// The public entry point of @rpcgen/runtime: what applications and generated code use.
// Internals (frame encoders, codecs, the RESP parser, the deadline wheel, the etcd key
// layout...) are not re-exported here; tests reach them by path as
// `@rpcgen/runtime/internal/<file>.js`.
export * from "./descriptor.js";
export * from "./errors.js";
export * from "./call.js";
export { DeclaredException } from "./declared-exception.js";
export {
  ValidationError,
  assertValidStruct,
  validateArgs,
  validateStruct,
  validateValue,
  type ValidationIssue,
} from "./validate.js";
export * from "./registry/registry.js";
export * from "./governance/index.js";
export * from "./logger.js";
export { defaultFrameLimits, type FrameLimits } from "./wire/frame-limits.js";
export { Channel, type ChannelOptions, type ChannelEvents } from "./client/channel.js";
export { Server, type ListenOptions, type CloseOptions, type ServerEvents } from "./server/server.js";
export type { ServerOptions } from "./server/server-options.js";
export type { Interceptor, InterceptedCall, CallHandler } from "./interceptors/interceptor.js";
export { withInterceptors } from "./interceptors/client-interceptors.js";
export type { OffloadOptions, HandlerModule } from "./offload/offload-options.js";
export type { WorkerCallContext } from "./offload/worker-call-context.js";
export { installShutdownSignals, type ShutdownSignalOptions } from "./server/shutdown-signals.js";
export { RespChannel, type RespChannelOptions } from "./resp/resp-channel.js";
export type { RespValue, RespVersion } from "./resp/resp-value.js";
export { RespConversionError } from "./resp/resp-conversion-error.js";
export { DirectRegistry, type DirectRegistryOptions } from "./registry/direct-registry.js";
export { EtcdRegistry, type EtcdRegistryOptions } from "./registry/etcd-registry.js";
export { ZooKeeperRegistry, type ZooKeeperRegistryOptions } from "./registry/zookeeper-registry.js";
export type { ProviderInput } from "./registry/provider-info.js";
export * from "./config/index.js";
export * from "./provider/index.js";
export * from "./protocols/thrift/index.js";
export * from "./protocols/grpc/index.js";
export * from "./protocols/http/index.js";
export * from "./observability/index.js";
export * from "./security/index.js";
