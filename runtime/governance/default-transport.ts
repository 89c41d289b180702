import { Channel, type ChannelOptions } from "../client/channel.js";
import { providerTls } from "../security/provider-tls.js";
import type { ProviderTransport, TransportFactory } from "./provider-transport.js";

/** Channel settings shared by every provider of a service (the address comes from the registry). */
export type ChannelSettings = Omit<ChannelOptions, "address">;

/**
 * A TransportFactory that opens a client Channel (a connection pool) to each
 * provider's address. The codec is `settings.codec` if set, else the one the
 * provider advertises in its registry metadata (`codec: binary|json`), else the
 * Channel's default. TLS: with `settings.tls`, every provider (or, with
 * `tls.providers: "advertised"`, those that advertise `tls: "true"`); without
 * it, the providers that advertise TLS, with the system's trusted CAs.
 */
export function channelTransportFactory(settings: ChannelSettings = {}): TransportFactory {
  return (provider) => {
    const advertised = provider.metadata["codec"];
    const codec = settings.codec ?? (advertised === "binary" || advertised === "json" ? advertised : undefined);
    const tls = providerTls(provider, settings.tls);
    const { tls: _configured, ...rest } = settings;
    const transport: ProviderTransport = new Channel({
      ...rest,
      ...(codec === undefined ? {} : { codec }),
      ...(tls === undefined ? {} : { tls }),
      address: provider.address,
    });
    return transport;
  };
}

/** The factory a cluster invoker uses when given none: Channels with default settings. */
export function defaultTransportFactory(): TransportFactory {
  return channelTransportFactory();
}
