/**
 * Validation and normalisation of ProviderInfo, shared by every registry so that a
 * bad provider is refused the same way everywhere, with the offending field named.
 */
import semver from "semver";
import { Code, RpcError } from "../errors.js";
import { DEFAULT_PROVIDER_WEIGHT, type ProviderInfo } from "./registry.js";

/** A provider as a user writes it: weight and metadata may be left out. */
export type ProviderInput = Omit<ProviderInfo, "weight" | "metadata"> &
  Partial<Pick<ProviderInfo, "weight" | "metadata">>;

// host is a name or IPv4 address without ':' or '/', or a bracketed IPv6 address.
const addressPattern = /^(\[[0-9A-Fa-f:.]+\]|[^\s:/[\]]+):(\d{1,5})$/;

/**
 * Checks a provider and fills in the defaults (weight 100, empty metadata).
 * Throws RpcError INVALID_ARGUMENT naming the field and the provider when it is bad.
 */
export function normalizeProvider(input: ProviderInput): ProviderInfo {
  const where = describe(input);
  const fail = (message: string): never => {
    throw new RpcError(Code.INVALID_ARGUMENT, `invalid provider ${where}: ${message}`);
  };
  if (typeof input !== "object" || input === null) fail("expected an object");
  checkServiceName(input.service, fail);
  checkAddress(input.address, fail);
  if (typeof input.version !== "string" || semver.valid(input.version) === null) {
    fail(`version ${JSON.stringify(input.version)} is not a semver version such as "1.2.0"`);
  }
  const weight = input.weight ?? DEFAULT_PROVIDER_WEIGHT;
  if (typeof weight !== "number" || !Number.isFinite(weight) || weight < 0) {
    fail(`weight ${JSON.stringify(weight)} must be a finite number >= 0`);
  }
  const metadata = input.metadata ?? {};
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
    fail("metadata must be an object of strings");
  }
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== "string") fail(`metadata.${key} must be a string, got ${typeof value}`);
  }
  return {
    service: input.service,
    version: input.version,
    address: input.address,
    weight,
    metadata: { ...metadata },
  };
}

/** Throws INVALID_ARGUMENT unless `service` can name a service in a registry key. */
export function checkServiceName(service: unknown, fail = failService): asserts service is string {
  if (typeof service !== "string" || service.length === 0) {
    fail(`service must be a non-empty string, got ${JSON.stringify(service)}`);
  } else if (/[/\s]/.test(service)) {
    fail(`service ${JSON.stringify(service)} must not contain '/' or whitespace`);
  }
}

function checkAddress(address: unknown, fail: (message: string) => never): void {
  const match = typeof address === "string" ? addressPattern.exec(address) : null;
  const port = match ? Number(match[2]) : 0;
  if (!match || port < 1 || port > 65535) {
    fail(`address ${JSON.stringify(address)} must be "host:port" with a port in 1..65535`);
  }
}

function failService(message: string): never {
  throw new RpcError(Code.INVALID_ARGUMENT, message);
}

function describe(input: unknown): string {
  if (typeof input !== "object" || input === null) return JSON.stringify(input) ?? String(input);
  const { service, address } = input as Partial<ProviderInfo>;
  return `${String(service)}@${String(address)}`;
}

/** Orders providers by address, then version, so lists compare and print stably. */
export function compareProviders(a: ProviderInfo, b: ProviderInfo): number {
  if (a.address !== b.address) return a.address < b.address ? -1 : 1;
  if (a.version !== b.version) return a.version < b.version ? -1 : 1;
  return 0;
}

/** True when two providers carry the same data (service, version, address, weight, metadata). */
export function sameProvider(a: ProviderInfo, b: ProviderInfo): boolean {
  if (
    a.service !== b.service ||
    a.version !== b.version ||
    a.address !== b.address ||
    a.weight !== b.weight
  ) {
    return false;
  }
  const aKeys = Object.keys(a.metadata);
  if (aKeys.length !== Object.keys(b.metadata).length) return false;
  return aKeys.every((key) => a.metadata[key] === b.metadata[key]);
}
