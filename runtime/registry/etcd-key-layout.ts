/**
 * Where providers live in etcd (documented in docs/REGISTRY.md):
 *
 *   <prefix>/services/<service>/providers/<host:port>  ->  {"version","weight","metadata"}
 *
 * The key says who (service, address); the JSON value says what (version, weight,
 * metadata). Service names and addresses never contain '/', which validation enforces.
 */
import semver from "semver";
import type { ProviderInfo } from "./registry.js";

/** The default key prefix of EtcdRegistry. */
export const DEFAULT_ETCD_PREFIX = "/rpcgen";

/** Checks a key prefix: starts with '/', does not end with '/'. */
export function checkEtcdPrefix(prefix: string): string | undefined {
  if (typeof prefix !== "string" || !prefix.startsWith("/") || prefix.endsWith("/")) {
    return `prefix ${JSON.stringify(prefix)} must start with '/' and not end with '/' (e.g. "/rpcgen")`;
  }
  return undefined;
}

/** The prefix under which every provider of `service` is stored (ends with '/'). */
export function serviceProvidersPrefix(prefix: string, service: string): string {
  return `${prefix}/services/${service}/providers/`;
}

/** The key of one provider. */
export function providerKey(prefix: string, provider: ProviderInfo): string {
  return serviceProvidersPrefix(prefix, provider.service) + provider.address;
}

/** The JSON value stored under a provider's key. */
export function encodeProviderValue(provider: ProviderInfo): string {
  return JSON.stringify({
    version: provider.version,
    weight: provider.weight,
    metadata: provider.metadata,
  });
}

/**
 * Reads a provider back from a key under serviceProvidersPrefix and its value.
 * Returns an error message instead of throwing: another writer may have stored junk,
 * which must be skipped (and logged), not crash discovery.
 */
export function decodeProvider(
  servicePrefix: string,
  service: string,
  key: string,
  value: string,
): ProviderInfo | string {
  if (!key.startsWith(servicePrefix)) return `key is outside ${servicePrefix}`;
  const address = key.slice(servicePrefix.length);
  if (address.length === 0 || address.includes("/")) return `key does not end in a "host:port" address`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    return `value is not JSON: ${(error as Error).message}`;
  }
  if (typeof parsed !== "object" || parsed === null) return "value is not a JSON object";
  const { version, weight, metadata } = parsed as Record<string, unknown>;
  if (typeof version !== "string" || semver.valid(version) === null) {
    return `value.version ${JSON.stringify(version)} is not a semver version`;
  }
  if (typeof weight !== "number" || !Number.isFinite(weight) || weight < 0) {
    return `value.weight ${JSON.stringify(weight)} is not a number >= 0`;
  }
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
    return "value.metadata is not an object";
  }
  const labels: Record<string, string> = {};
  for (const [name, label] of Object.entries(metadata)) {
    if (typeof label !== "string") return `value.metadata.${name} is not a string`;
    labels[name] = label;
  }
  return { service, version, address, weight, metadata: labels };
}
