import type { ServiceDescriptor } from "../../descriptor.js";
import type { TransportFactory } from "../../governance/provider-transport.js";
import { GrpcChannel, type GrpcChannelOptions } from "./grpc-channel.js";

/** GrpcChannel settings shared by every provider of a service (the address comes from the registry). */
export type GrpcChannelSettings = Omit<GrpcChannelOptions, "address">;

/**
 * A TransportFactory for a cluster invoker whose providers are gRPC servers:
 * one GrpcChannel per provider address, so discovery, balancing, failover and
 * breakers work over gRPC as over rpcgen's own protocol.
 */
export function grpcTransportFactory(settings: GrpcChannelSettings = {}, service?: ServiceDescriptor): TransportFactory {
  const services = service === undefined ? settings.services : [...(settings.services ?? []), service];
  return (provider) => new GrpcChannel({ ...settings, ...(services === undefined ? {} : { services }), address: provider.address });
}
