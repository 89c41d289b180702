import type { MethodDescriptor } from "../descriptor.js";
import type { PresentedCredentials } from "./credentials.js";
import type { Principal } from "./principal.js";
import type { TlsPeerIdentity } from "./tls-peer.js";

/** What an authenticator sees of a caller. */
export interface AuthenticationContext {
  /** The protocol that carried the attempt: "rpcgen", "resp", "grpc", ... */
  readonly protocol: string;
  /** `host:port` of the caller. */
  readonly peer: string;
  /** The call's metadata (empty for a connection-level login such as RESP `AUTH`). */
  readonly metadata: Readonly<Record<string, string>>;
  /** The token (and user name) found in the metadata or given to `AUTH`. */
  readonly credentials: PresentedCredentials;
  /** The verified client certificate, on a mutual-TLS connection. */
  readonly tls: TlsPeerIdentity | undefined;
  /** The method being called; undefined for a connection-level login. */
  readonly method: MethodDescriptor | undefined;
}

/**
 * Decides who a caller is. Returns (or resolves with) the principal, or
 * undefined to refuse with UNAUTHENTICATED; it may also throw an RpcError
 * (UNAUTHENTICATED, PERMISSION_DENIED) whose message the caller then sees.
 * Never put the presented secret in an error message: it would reach logs.
 */
export type Authenticator = (context: AuthenticationContext) => Principal | undefined | Promise<Principal | undefined>;

/**
 * Decides whether `principal` may call `method`: true to allow, false to refuse
 * with PERMISSION_DENIED. `principal` is undefined only for a public method
 * (`auth = "none"`), which is never sent here.
 */
export type Authorizer = (principal: Principal, method: MethodDescriptor) => boolean | Promise<boolean>;

/** Server options of authentication; see docs/SECURITY.md. */
export interface ServerAuthOptions {
  /** Who is calling; every call to a method not annotated `auth = "none"` needs a principal. */
  authenticate: Authenticator;
  /** Per-method authorization, after authentication. Default: every authenticated caller may call every method. */
  authorize?: Authorizer;
  /**
   * Time a new connection has to authenticate (or complete a call to a public
   * method); then it is closed. Default 5000 ms.
   */
  timeoutMs?: number;
  /** Largest request (frame, RESP command) a connection may send before it has authenticated. Default 64 KiB. */
  maxUnauthenticatedRequestBytes?: number;
  /**
   * Failed attempts (wrong credentials, not missing ones) from one peer address
   * within `failureWindowMs` after which that address is refused without asking
   * the authenticator, for the rest of the window. Default 10.
   */
  maxFailures?: number;
  /** Default 60000 ms. */
  failureWindowMs?: number;
}
