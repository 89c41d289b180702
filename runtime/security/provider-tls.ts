import type { ProviderInfo } from "../registry/registry.js";
import type { ClientTlsOptions } from "./client-tls.js";

/** The registry metadata key by which a provider says it wants TLS (`tls: "true"`; publishServer sets it). */
export const PROVIDER_TLS_KEY = "tls";

/**
 * The TLS a cluster client uses to one provider: the client's own TLS settings
 * for every provider (a registry entry cannot turn them off), or with
 * `providers: "advertised"` only for providers advertising `tls: "true"`; and
 * when the client has none, TLS with the system's trusted CAs for providers
 * that advertise it (never plaintext to a provider that asked for TLS).
 */
export function providerTls(provider: ProviderInfo, configured: ClientTlsOptions | true | undefined): ClientTlsOptions | true | undefined {
  const advertised = provider.metadata[PROVIDER_TLS_KEY] === "true";
  if (configured === undefined) return advertised ? true : undefined;
  if (configured !== true && configured.providers === "advertised" && !advertised) return undefined;
  return configured;
}
