import semver from "semver";
import { Code, RpcError } from "../errors.js";
import type { ProviderInfo } from "../registry/registry.js";

/**
 * Checks a semver range when the client is configured, so a typo fails at
 * start-up with the range in the message instead of matching nothing later.
 */
export function parseVersionRange(range: string, service: string): semver.Range {
  try {
    return new semver.Range(range);
  } catch (error) {
    throw new RpcError(Code.INVALID_ARGUMENT, `invalid version range "${range}" for service ${service}`, {
      cause: error,
    });
  }
}

/** Whether a provider's registered version satisfies the range (an unparsable version never does). */
export function versionMatches(provider: ProviderInfo, range: semver.Range | undefined): boolean {
  if (range === undefined) return true;
  const version = semver.valid(provider.version);
  return version !== null && range.test(version);
}

/** The UNAVAILABLE error for "providers exist, but none has a version in the range". */
export function noMatchingVersionError(service: string, range: string, providers: readonly ProviderInfo[]): RpcError {
  const seen = [...new Set(providers.map((p) => p.version))].sort(semver.compareLoose);
  return new RpcError(
    Code.UNAVAILABLE,
    `no provider of ${service} matches version range "${range}"; versions seen: ${seen.join(", ")}`,
  );
}
