import { Channel, type ChannelOptions } from "../client/channel.js";
import type { ProviderTransport, TransportFactory } from "./provider-transport.js";

/** Channel settings shared by every provider of a service (the address comes from the registry). */
export type ChannelSettings = Omit<ChannelOptions, "address">;

/**
 * A TransportFactory that opens a client Channel (a connection pool) to each
 * provider's address. The codec is `settings.codec` if set, else the one the
 * provider advertises in its registry metadata (`codec: binary|json`), else the
 * Channel's default.
 */
export function channelTransportFactory(settings: ChannelSettings = {}): TransportFactory {
  return (provider) => {
    const advertised = provider.metadata["codec"];
    const codec = settings.codec ?? (advertised === "binary" || advertised === "json" ? advertised : undefined);
    const transport: ProviderTransport = new Channel({
      ...settings,
      ...(codec === undefined ? {} : { codec }),
      address: provider.address,
    });
    return transport;
  };
}

/** The factory a cluster invoker uses when given none: Channels with default settings. */
export function defaultTransportFactory(): TransportFactory {
  return channelTransportFactory();
}
