/**
 * Credentials as they travel in call metadata, the same for every protocol that
 * carries metadata (rpcgen frames, gRPC, HTTP headers): `authorization: Bearer
 * <token>` or `x-api-key: <token>`. RESP carries none; it logs in with `AUTH`.
 */

/** What a caller presented, extracted from metadata (or from RESP's AUTH). */
export interface PresentedCredentials {
  /** The bearer token or API key. */
  readonly token?: string;
  /** A user name, when the protocol carries one (RESP `AUTH <user> <token>`). */
  readonly username?: string;
}

export const AUTHORIZATION_KEY = "authorization";
export const API_KEY_KEY = "x-api-key";

const none: PresentedCredentials = Object.freeze({});

/** The credentials in `metadata`: a bearer token wins over an API key. */
export function credentialsOf(metadata: Readonly<Record<string, string>>): PresentedCredentials {
  const authorization = metadata[AUTHORIZATION_KEY];
  if (authorization !== undefined) {
    const match = /^\s*bearer\s+(\S+)\s*$/i.exec(authorization);
    if (match !== null) return { token: match[1]! };
  }
  const apiKey = metadata[API_KEY_KEY];
  if (apiKey !== undefined && apiKey !== "") return { token: apiKey };
  return none;
}

/**
 * The part of `metadata` that identifies the caller, as one string: a connection
 * caches the principal of the last credentials it saw under it. "" when the call
 * carries no credentials. Allocates only when both keys are present.
 */
export function credentialKey(metadata: Readonly<Record<string, string>>): string {
  const authorization = metadata[AUTHORIZATION_KEY];
  const apiKey = metadata[API_KEY_KEY];
  if (apiKey === undefined) return authorization ?? "";
  return authorization === undefined ? `\u0000${apiKey}` : `${authorization}\u0000${apiKey}`;
}

/** Metadata that sends `token` as a bearer token: `{ authorization: "Bearer <token>" }`. */
export function bearerToken(token: string): Record<string, string> {
  if (typeof token !== "string" || token === "" || /\s/.test(token)) {
    throw new TypeError("a bearer token must be a non-empty string without whitespace");
  }
  return { [AUTHORIZATION_KEY]: `Bearer ${token}` };
}

/**
 * A channel's metadata with a call's on top. Credentials go as a whole: a call
 * that brings its own (either key) sends none of the channel's, so the server
 * sees the caller the call asked for.
 */
export function mergeMetadata(channel: Readonly<Record<string, string>>, call: Readonly<Record<string, string>>): Record<string, string> {
  const merged = { ...channel, ...call };
  if (call[AUTHORIZATION_KEY] === undefined && call[API_KEY_KEY] === undefined) return merged;
  if (call[AUTHORIZATION_KEY] === undefined) delete merged[AUTHORIZATION_KEY];
  if (call[API_KEY_KEY] === undefined) delete merged[API_KEY_KEY];
  return merged;
}
