export { GrpcChannel, type GrpcChannelOptions, type GrpcChannelEvents } from "./grpc-channel.js";
export { grpcTransportFactory, type GrpcChannelSettings } from "./grpc-transport-factory.js";
