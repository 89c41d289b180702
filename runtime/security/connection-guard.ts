import type { Socket } from "node:net";
import type { MethodDescriptor } from "../descriptor.js";
import type { RegisteredMethod } from "../dispatch-contract.js";
import { Code, RpcError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { CallGuard, GuardVerdict } from "../server/call-guard.js";
import { destroyAfterGrace } from "../server/connection-close.js";
import type { ServerCall } from "../server/server-call.js";
import type { SocketCloseHook } from "../server/socket-close-hook.js";
import type { FrameLimits } from "../wire/frame-limits.js";
import type { AuthenticationContext, Authenticator, Authorizer } from "./authenticator.js";
import { credentialKey, credentialsOf, type PresentedCredentials } from "./credentials.js";
import type { FailureLimiter } from "./failure-limiter.js";
import type { Principal } from "./principal.js";
import { isPublicMethod } from "./public-methods.js";
import type { TlsPeerIdentity } from "./tls-peer.js";

/** The server-wide part of authentication, shared by every connection's guard. */
export interface AuthPolicy {
  readonly authenticate: Authenticator;
  readonly authorize: Authorizer | undefined;
  readonly timeoutMs: number;
  readonly maxUnauthenticatedRequestBytes: number;
  readonly limiter: FailureLimiter;
  readonly logger: Logger;
}

const noMetadata: Readonly<Record<string, string>> = Object.freeze({});
const tooManyFailures = new RpcError(
  Code.UNAUTHENTICATED,
  "too many failed authentication attempts from this address; try again later",
);
const notAuthenticated = new RpcError(Code.UNAUTHENTICATED, "authentication failed");
const credentialsNeeded = new RpcError(
  Code.UNAUTHENTICATED,
  "this method needs credentials: send `authorization: Bearer <token>` or `x-api-key` metadata",
);

/**
 * The security state of one connection: its TLS peer, its principal, and the
 * limits it lives under until it authenticates. Every call of the connection
 * passes `admit` (through the dispatch) before its handler runs:
 *
 * - a public method (`auth = "none"`) is let through;
 * - a call carrying credentials is authenticated by them, and the principal is
 *   cached for the connection under those credentials, so a channel sending the
 *   same token on every call costs the authenticator one call per connection
 *   and every later call no promise at all;
 * - a call without credentials gets the connection's own principal (a RESP
 *   login, or the client certificate the authenticator accepted when the
 *   connection opened), else is refused;
 * - then `authorize(principal, method)`.
 *
 * Until it has authenticated, the connection may send requests of at most
 * `maxUnauthenticatedRequestBytes`, and it is closed if it has not
 * authenticated (or completed a public call) within `timeoutMs`. A failed
 * attempt with credentials counts against the peer's address; an address over
 * its limit is refused without asking the authenticator, and its connection is
 * closed. Failures are logged with the peer, never with what was presented.
 */
export class ConnectionGuard implements CallGuard, SocketCloseHook {
  /** The connection's own principal: a RESP login or the client certificate. */
  private principal: Principal | undefined;
  /** The credentials last authenticated on this connection, and who they were. */
  private cachedKey: string | undefined = undefined;
  private cachedPrincipal: Principal | undefined = undefined;
  private deadline: NodeJS.Timeout | undefined;
  private readonly fullRequestBytes: number;
  /**
   * The connection's frame limits: for a connection that opens without a
   * principal, a copy of its own, lowered until it authenticates; else the
   * server's, shared by every connection and never written here.
   */
  readonly frameLimits: FrameLimits;

  /**
   * @param frameLimits the server's frame limits
   * @param transportPrincipal who the client certificate says the client is, if
   *   the authenticator accepted it: the connection starts authenticated
   */
  constructor(
    private readonly policy: AuthPolicy | undefined,
    private readonly tls: TlsPeerIdentity | undefined,
    private readonly socket: Socket,
    private readonly peer: string,
    private readonly protocol: string,
    frameLimits: FrameLimits,
    transportPrincipal: Principal | undefined,
  ) {
    this.principal = transportPrincipal;
    this.fullRequestBytes = frameLimits.maxFrameBytes;
    if (policy === undefined || transportPrincipal !== undefined) {
      this.frameLimits = frameLimits;
      return;
    }
    this.frameLimits = { ...frameLimits, maxFrameBytes: Math.min(policy.maxUnauthenticatedRequestBytes, this.fullRequestBytes) };
    // The guard rides along as the timer's argument: no closure per connection.
    this.deadline = setTimeout(ConnectionGuard.deadlinePassed, policy.timeoutMs, this);
    this.deadline.unref();
  }

  /** True while the connection must authenticate in time (the server then tells the guard when its socket closes). */
  get deadlineRunning(): boolean {
    return this.deadline !== undefined;
  }

  /** The socket closed: the deadline has nothing left to close, and its timer would keep the connection in memory until then. */
  socketClosed(): void {
    this.clearDeadline();
  }

  get authenticationConfigured(): boolean {
    return this.policy !== undefined;
  }

  get awaitingAuthentication(): boolean {
    return this.policy !== undefined && this.principal === undefined;
  }

  get maxRequestBytes(): number {
    return this.fullRequestBytes;
  }

  get maxUnauthenticatedRequestBytes(): number {
    return this.policy?.maxUnauthenticatedRequestBytes ?? this.fullRequestBytes;
  }

  isPublic(registered: RegisteredMethod): boolean {
    return isPublicMethod(registered);
  }

  admit(registered: RegisteredMethod, call: ServerCall): GuardVerdict {
    call.tlsPeer = this.tls;
    const policy = this.policy;
    if (policy === undefined) return true;
    if (isPublicMethod(registered)) {
      call.principal = this.principal ?? this.cachedPrincipal;
      this.clearDeadline();
      return true;
    }
    const key = credentialKey(call.metadata);
    if (key === "") {
      if (this.principal !== undefined) {
        call.principal = this.principal;
        return this.authorize(policy, registered.method, call);
      }
      // Nothing presented: nothing guessed either, so it is not counted as a failure.
      return this.refused(policy, credentialsNeeded, registered.method, "no credentials", false);
    }
    if (key === this.cachedKey) {
      call.principal = this.cachedPrincipal;
      return this.authorize(policy, registered.method, call);
    }
    return this.authenticateCall(policy, registered.method, call, key);
  }

  login(username: string | undefined, token: string): GuardVerdict {
    const policy = this.policy;
    if (policy === undefined) return new RpcError(Code.FAILED_PRECONDITION, "this server has no authentication");
    const credentials: PresentedCredentials = username === undefined ? { token } : { token, username };
    return this.attempt(policy, credentials, noMetadata, undefined, (principal) => {
      this.principal = principal;
      this.authenticated();
      return true;
    });
  }

  private authenticateCall(policy: AuthPolicy, method: MethodDescriptor, call: ServerCall, key: string): GuardVerdict {
    return this.attempt(policy, credentialsOf(call.metadata), call.metadata, method, (principal) => {
      this.cachedKey = key;
      this.cachedPrincipal = principal;
      this.authenticated();
      call.principal = principal;
      return this.authorize(policy, method, call);
    });
  }

  /** Asks the authenticator (unless the address is blocked); `onPrincipal` continues with whoever it found. */
  private attempt(
    policy: AuthPolicy,
    credentials: PresentedCredentials,
    metadata: Readonly<Record<string, string>>,
    method: MethodDescriptor | undefined,
    onPrincipal: (principal: Principal) => GuardVerdict,
  ): GuardVerdict {
    const presented = credentials.token !== undefined;
    if (presented && policy.limiter.blocked(addressOf(this.peer))) {
      this.closeSoon();
      return this.refused(policy, tooManyFailures, method, "address blocked after repeated failures", false);
    }
    const context: AuthenticationContext = { protocol: this.protocol, peer: this.peer, metadata, credentials, tls: this.tls, method };
    const decide = (principal: Principal | undefined): GuardVerdict =>
      principal === undefined || typeof principal !== "object" || typeof principal.id !== "string"
        ? this.refused(policy, notAuthenticated, method, presented ? "credentials not accepted" : "no credentials", presented)
        : onPrincipal(principal);
    const fail = (error: unknown): GuardVerdict => this.refused(policy, publicAuthError(error), method, reasonOf(error), presented);
    let result: Principal | undefined | Promise<Principal | undefined>;
    try {
      result = policy.authenticate(context);
    } catch (error) {
      return fail(error);
    }
    if (result instanceof Promise) return result.then(decide, fail);
    return decide(result);
  }

  private authorize(policy: AuthPolicy, method: MethodDescriptor, call: ServerCall): GuardVerdict {
    const authorize = policy.authorize;
    if (authorize === undefined) return true;
    const principal = call.principal!;
    const decide = (allowed: boolean): true | RpcError => {
      if (allowed === true) return true;
      policy.logger.warn({ peer: this.peer, protocol: this.protocol, method: method.fullName, principal: principal.id }, "call not authorized");
      return new RpcError(Code.PERMISSION_DENIED, `${principal.id} may not call ${method.fullName}`);
    };
    const fail = (error: unknown): RpcError => {
      policy.logger.error({ peer: this.peer, method: method.fullName, err: error }, "authorize failed");
      return error instanceof RpcError && error.code === Code.PERMISSION_DENIED ? error : new RpcError(Code.PERMISSION_DENIED, `${principal.id} may not call ${method.fullName}`);
    };
    let result: boolean | Promise<boolean>;
    try {
      result = authorize(principal, method);
    } catch (error) {
      return fail(error);
    }
    return result instanceof Promise ? result.then(decide, fail) : decide(result);
  }

  private refused(policy: AuthPolicy, error: RpcError, method: MethodDescriptor | undefined, reason: string, countFailure: boolean): RpcError {
    policy.logger.warn(
      { peer: this.peer, protocol: this.protocol, ...(method === undefined ? {} : { method: method.fullName }), reason },
      "authentication failed",
    );
    if (!countFailure) return error;
    // Cut from the peer when needed (an attempt, a failure): kept by every connection, it would cost a string each.
    const address = addressOf(this.peer);
    if (policy.limiter.fail(address)) {
      policy.logger.warn({ peer: this.peer, address }, "address refused for a while after repeated authentication failures");
      this.closeSoon();
    }
    return error;
  }

  /** The connection has a principal: full limits, no deadline. */
  private authenticated(): void {
    // Only the connection's own copy was lowered; the server's shared limits are not touched.
    if (this.frameLimits.maxFrameBytes !== this.fullRequestBytes) this.frameLimits.maxFrameBytes = this.fullRequestBytes;
    this.clearDeadline();
  }

  private clearDeadline(): void {
    if (this.deadline === undefined) return;
    clearTimeout(this.deadline);
    this.deadline = undefined;
  }

  private static deadlinePassed(guard: ConnectionGuard): void {
    guard.deadline = undefined;
    if (guard.socket.destroyed) return;
    guard.policy?.logger.warn(
      { peer: guard.peer, protocol: guard.protocol, timeoutMs: guard.policy.timeoutMs },
      "closing connection: not authenticated in time",
    );
    guard.socket.destroy();
  }

  /** Closes the connection once the refusal just queued has been written (replies go out in per-turn batches). */
  private closeSoon(): void {
    setTimeout(() => {
      if (this.socket.destroyed) return;
      this.socket.end();
      destroyAfterGrace(this.socket);
    }, 50).unref();
  }
}

/** What the caller is told when the authenticator threw: its own UNAUTHENTICATED/PERMISSION_DENIED message, else a plain refusal. */
function publicAuthError(error: unknown): RpcError {
  if (error instanceof RpcError && (error.code === Code.UNAUTHENTICATED || error.code === Code.PERMISSION_DENIED)) return error;
  return notAuthenticated;
}

function reasonOf(error: unknown): string {
  if (error instanceof RpcError && (error.code === Code.UNAUTHENTICATED || error.code === Code.PERMISSION_DENIED)) return error.message;
  return `authenticator failed: ${error instanceof Error ? error.name : typeof error}`;
}

/** The address part of `host:port` (`[v6]:port` too): failures are counted per address, whatever the port. */
export function addressOf(peer: string): string {
  const colon = peer.lastIndexOf(":");
  const host = colon === -1 ? peer : peer.slice(0, colon);
  return host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host;
}
