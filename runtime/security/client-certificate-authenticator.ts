import type { Authenticator } from "./authenticator.js";
import type { Principal } from "./principal.js";
import type { TlsPeerIdentity } from "./tls-peer.js";

/**
 * An authenticator for mutual TLS: a caller whose client certificate the server
 * verified is the principal `principalOf(identity)` (default: its common name,
 * else its first subject alternative name), unless `allow` says no. Callers
 * without a certificate are left to the next authenticator (see anyAuthenticator).
 */
export function clientCertificateAuthenticator(
  options: { allow?: (identity: TlsPeerIdentity) => boolean; principalOf?: (identity: TlsPeerIdentity) => Principal } = {},
): Authenticator {
  return (context) => {
    const identity = context.tls;
    if (identity === undefined) return undefined;
    if (options.allow !== undefined && !options.allow(identity)) return undefined;
    if (options.principalOf !== undefined) return options.principalOf(identity);
    return { id: identity.commonName ?? identity.subjectAltNames[0] ?? identity.fingerprint256, via: "tls" };
  };
}

/** The first principal any of `authenticators` finds, asked in order. */
export function anyAuthenticator(...authenticators: Authenticator[]): Authenticator {
  return async (context) => {
    for (const authenticate of authenticators) {
      const principal = await authenticate(context);
      if (principal !== undefined) return principal;
    }
    return undefined;
  };
}
