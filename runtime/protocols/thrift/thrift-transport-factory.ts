import type { TransportFactory } from "../../governance/provider-transport.js";
import { ThriftChannel, type ThriftChannelOptions } from "./thrift-channel.js";

/** ThriftChannel settings shared by every provider of a service (the address comes from the registry). */
export type ThriftTransportSettings = Omit<ThriftChannelOptions, "address">;

/**
 * A TransportFactory that opens a ThriftChannel to each provider, so that a
 * ClusterInvoker (discovery, balancing, failover, breakers) calls Apache Thrift
 * servers: `createClusterInvoker({ ..., transportFactory: thriftTransportFactory({ protocol: "compact" }) })`.
 * Pings of a multiplexed channel name the provider's service.
 */
export function thriftTransportFactory(settings: ThriftTransportSettings = {}): TransportFactory {
  return (provider) => new ThriftChannel({ pingService: provider.service, ...settings, address: provider.address });
}
