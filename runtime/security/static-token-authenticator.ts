import { createHash, timingSafeEqual } from "node:crypto";
import type { Authenticator } from "./authenticator.js";
import type { Principal } from "./principal.js";

/** One accepted token and who presents it. */
export interface StaticToken {
  /** The secret. Load it from the environment or a file, never from source code. */
  token: string;
  /** Principal id of whoever presents it. Default `token-<n>` (its position, from 1). */
  id?: string;
  roles?: readonly string[];
  /**
   * The user name a RESP client must give with it (`AUTH <user> <token>`). Without
   * one, `AUTH <token>` and `AUTH default <token>` are accepted, as Redis does.
   */
  user?: string;
}

interface Entry {
  digest: Buffer;
  user: string | undefined;
  principal: Principal;
}

/**
 * An authenticator that accepts a fixed set of tokens (several at once, so a
 * token can be rotated: add the new one, move the clients, remove the old one).
 * Presented tokens are compared in constant time against every accepted token
 * (SHA-256 digests, so neither the length nor which token matched shows in the
 * timing). `update` swaps the set without a restart.
 *
 * ```ts
 * const tokens = staticTokenAuthenticator([{ token: process.env.API_TOKEN!, id: "billing" }]);
 * new Server({ auth: { authenticate: tokens } });
 * ```
 */
export interface StaticTokenAuthenticator extends Authenticator {
  /** Replaces the accepted tokens; connections already authenticated keep their principal. */
  update(tokens: readonly (StaticToken | string)[]): void;
}

export function staticTokenAuthenticator(tokens: readonly (StaticToken | string)[]): StaticTokenAuthenticator {
  let entries = compile(tokens);
  const authenticate = ((context) => {
    const presented = context.credentials.token;
    if (presented === undefined) return undefined;
    const digest = sha256(presented);
    const username = context.credentials.username;
    let found: Entry | undefined;
    // Every entry is compared, whatever matched first.
    for (const entry of entries) {
      const same = timingSafeEqual(digest, entry.digest);
      const userOk = entry.user === undefined ? username === undefined || username === "default" : username === entry.user;
      if (same && userOk && found === undefined) found = entry;
    }
    return found?.principal;
  }) as StaticTokenAuthenticator;
  authenticate.update = (next) => {
    entries = compile(next);
  };
  return authenticate;
}

function compile(tokens: readonly (StaticToken | string)[]): Entry[] {
  if (!Array.isArray(tokens)) throw new TypeError("staticTokenAuthenticator takes a list of tokens");
  return tokens.map((item, index) => {
    const spec: StaticToken = typeof item === "string" ? { token: item } : item;
    if (typeof spec.token !== "string" || spec.token.length === 0 || /\s/.test(spec.token)) {
      // The token itself is never part of the message.
      throw new TypeError(`token ${index + 1} must be a non-empty string without whitespace`);
    }
    const principal: Principal = Object.freeze({
      id: spec.id ?? `token-${index + 1}`,
      ...(spec.roles === undefined ? {} : { roles: Object.freeze([...spec.roles]) }),
    });
    return { digest: sha256(spec.token), user: spec.user, principal };
  });
}

function sha256(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}
