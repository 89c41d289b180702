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
export type { Frame } from "./wire/frame.js";
export { FrameKind, CodecId, FrameFlags } from "./wire/frame.js";
export type { MessageCodec, Outcome } from "./codec/codec.js";
export type { MethodTable, RegisteredMethod } from "./dispatch-contract.js";
export { ServiceTable } from "./server/service-table.js";
export * from "./registry/registry.js";
export * from "./governance/index.js";
export * from "./logger.js";
export { defaultFrameLimits, type FrameLimits } from "./wire/frame-limits.js";
export { encodeFrame, encodeFrameDeferred } from "./wire/frame-encoder.js";
export { hasDeferredBodies, type DeferredBody, type DeferredBodyCodec } from "./wire/deferred-body.js";
export { FrameDecoder, FrameError, type FrameErrorReason } from "./wire/frame-decoder.js";
export { encodeErrorBody, decodeErrorBody } from "./wire/error-body.js";
export { jsonCodec } from "./codec/json-codec.js";
export { binaryCodec } from "./codec/binary-codec.js";
export { codecById, codecByName } from "./codec/codec-registry.js";
export { Channel, type ChannelOptions, type ChannelEvents } from "./client/channel.js";
export { Server, type ListenOptions, type CloseOptions, type ServerEvents } from "./server/server.js";
export type { ServerOptions } from "./server/server-options.js";
export type { Interceptor, InterceptedCall, CallHandler } from "./interceptors/interceptor.js";
export { withInterceptors } from "./interceptors/client-interceptors.js";
export type { OffloadOptions, HandlerModule } from "./offload/offload-options.js";
export type { WorkerCallContext } from "./offload/worker-call-context.js";
export { installShutdownSignals, type ShutdownSignalOptions } from "./server/shutdown-signals.js";
export { DeadlineWheel, type DeadlineEntry } from "./deadline/deadline-wheel.js";
export { RespChannel, type RespChannelOptions } from "./resp/resp-channel.js";
export { RespParser, RespProtocolError, defaultRespParserLimits, type RespParserLimits } from "./resp/resp-parser.js";
export { serializeResp, serializeCommand } from "./resp/resp-serializer.js";
export type { RespValue, RespVersion } from "./resp/resp-value.js";
export { RespConversionError } from "./resp/resp-conversion-error.js";
export { readRespArguments, writeRespArguments } from "./resp/call-arguments.js";
export { resultToRespReply } from "./resp/result-reply.js";
export { respReplyToResult } from "./resp/reply-result.js";
export { DirectRegistry, type DirectRegistryOptions } from "./registry/direct-registry.js";
export { EtcdRegistry, type EtcdRegistryOptions } from "./registry/etcd-registry.js";
export { ZooKeeperRegistry, type ZooKeeperRegistryOptions } from "./registry/zookeeper-registry.js";
export { normalizeProvider, type ProviderInput } from "./registry/provider-info.js";
export {
  DEFAULT_ETCD_PREFIX,
  providerKey,
  serviceProvidersPrefix,
  encodeProviderValue,
} from "./registry/etcd-key-layout.js";
export * from "./config/index.js";
export * from "./provider/index.js";
export * from "./protocols/thrift/index.js";
export * from "./protocols/grpc/index.js";
export * from "./protocols/http/index.js";
export { httpRoutes } from "./protocols/http-protocols.js";
export * from "./observability/index.js";
export * from "./security/index.js";
