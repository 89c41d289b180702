import type { RegisteredMethod } from "../dispatch-contract.js";
import type { RpcError } from "../errors.js";
import type { ServerCall } from "./server-call.js";

/** A guard's answer: run the call, refuse it with an error, or wait for the authenticator. */
export type GuardVerdict = true | RpcError | Promise<true | RpcError>;

/**
 * What the dispatch asks before a call of a secured connection (TLS with a
 * client certificate, or a server with an authenticator) reaches its handler:
 * who the caller is (the call's metadata, the connection's TLS peer and
 * login), and whether they may call the method. A connection of a server
 * without security has no guard, and the dispatch then asks nothing.
 *
 * Protocols that log in per connection (RESP's AUTH) use the rest.
 */
export interface CallGuard {
  /** Sets `call.principal` and `call.tlsPeer`, or refuses (UNAUTHENTICATED, PERMISSION_DENIED). */
  admit(registered: RegisteredMethod, call: ServerCall): GuardVerdict;
  /** True when the server has an authenticator. */
  readonly authenticationConfigured: boolean;
  /** True while the connection has no principal: only logins and public methods are served. */
  readonly awaitingAuthentication: boolean;
  /** A connection-level login (RESP `AUTH [user] token`); on success the connection has its principal. */
  login(username: string | undefined, token: string): GuardVerdict;
  /** True for a method that needs no authentication (`auth = "none"`). */
  isPublic(registered: RegisteredMethod): boolean;
  /** Largest request the connection may send while awaiting authentication. */
  readonly maxUnauthenticatedRequestBytes: number;
  /** Largest request once authenticated (the server's limit; the connection's own frame limits are lowered until then). */
  readonly maxRequestBytes: number;
}
