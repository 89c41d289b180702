import type { Socket } from "node:net";
import { Code, RpcError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { ServedConnection } from "../server/served-connection.js";
import type { ConnectionEnvironment, ServerProtocol } from "../server/server-protocol.js";
import type { ServerLimits } from "../server/server-options.js";
import { setSocketCloseHook } from "../server/socket-close-hook.js";
import type { ServerAuthOptions } from "./authenticator.js";
import { CertificateStore } from "./certificate-store.js";
import { ConnectionGuard, type AuthPolicy } from "./connection-guard.js";
import { FailureLimiter } from "./failure-limiter.js";
import { plaintextRefusal } from "./plaintext-refusal.js";
import type { Principal } from "./principal.js";
import { hasClientCa, type ServerTlsOptions } from "./server-tls-options.js";
import { TlsAcceptor } from "./tls-acceptor.js";
import type { TlsPeerIdentity } from "./tls-peer.js";

const noMetadata: Readonly<Record<string, string>> = Object.freeze({});

/** Serves a connection with the protocol the detector chose (the server's own serve step). */
export type ServeDetected = (
  protocol: ServerProtocol,
  socket: Socket,
  peer: string,
  env: ConnectionEnvironment,
  refusal: string | undefined,
) => ServedConnection;

/**
 * A server's TLS and authentication, in one place: the certificate store and its
 * reloads, the protocols the port's detector asks first (TLS, and the refusal of
 * plaintext), and each secured connection's environment, whose dispatcher
 * carries the connection's guard. A server with neither TLS nor authentication
 * has no ServerSecurity, and its connections share one environment as before.
 */
export class ServerSecurity {
  readonly store: CertificateStore | undefined;
  private readonly tlsOptions: ServerTlsOptions | undefined;
  private readonly auth: AuthPolicy | undefined;
  private acceptor: TlsAcceptor | undefined;

  private constructor(
    tls: ServerTlsOptions | undefined,
    auth: ServerAuthOptions | undefined,
    private readonly logger: Logger,
  ) {
    this.tlsOptions = tls;
    this.store = tls === undefined ? undefined : new CertificateStore(tls, logger);
    this.auth = auth === undefined ? undefined : resolveAuth(auth, logger);
  }

  /** Undefined when the options ask for neither TLS nor authentication. */
  static create(options: { tls?: ServerTlsOptions; auth?: ServerAuthOptions }, logger: Logger): ServerSecurity | undefined {
    if (options.tls === undefined && options.auth === undefined) return undefined;
    return new ServerSecurity(options.tls, options.auth, logger);
  }

  get tlsEnabled(): boolean {
    return this.store !== undefined;
  }

  /**
   * The protocols the port's detector asks: with TLS, the TLS acceptor first (the
   * protocols then run inside it), then the plaintext protocols if allowed, else
   * the refusal of plaintext.
   */
  portProtocols(protocols: readonly ServerProtocol[], base: ConnectionEnvironment, serve: ServeDetected): ServerProtocol[] {
    const store = this.store;
    if (store === undefined) return [...protocols];
    const requestCert = hasClientCa(this.tlsOptions!);
    const acceptor = (this.acceptor = new TlsAcceptor(
      {
        store,
        requestCert,
        requireCert: requestCert && this.tlsOptions!.requireClientCertificate !== false,
        handshakeTimeoutMs: base.limits.handshakeTimeoutMs,
        transportPrincipal: (identity, peer) => this.transportPrincipal(identity, peer),
        logger: this.logger,
      },
      protocols,
      (protocol, socket, raw, peer, identity, principal, refusal) =>
        serve(protocol, socket, peer, this.environmentFor(base, socket, raw, peer, protocol.name, identity, principal), refusal),
    ));
    return [acceptor, ...(this.tlsOptions!.allowPlaintext === true ? protocols : [plaintextRefusal(this.logger)])];
  }

  /**
   * The environment of one connection: `base` itself when there is nothing to
   * guard (no authentication, no client certificate), else one whose dispatcher
   * carries the connection's guard. Everything else is the server's, shared:
   * only a connection that has to authenticate has limits of its own, whose
   * frame limits are lowered until it does.
   * @param accepted the socket the server accepted (under TLS, the raw one under `socket`)
   */
  environmentFor(
    base: ConnectionEnvironment,
    socket: Socket,
    accepted: Socket,
    peer: string,
    protocolName: string,
    identity: TlsPeerIdentity | undefined,
    principal: Principal | undefined,
  ): ConnectionEnvironment {
    if (this.auth === undefined && identity === undefined) return base;
    const guard = new ConnectionGuard(this.auth, identity, socket, peer, protocolName, base.limits.frameLimits, principal);
    // The server's close listener clears the deadline of a connection that closes before it authenticates.
    if (guard.deadlineRunning) setSocketCloseHook(accepted, guard);
    const dispatcher = { value: base.dispatcher.withGuard(guard) };
    // Per-server objects (node:http's and node:http2's servers, the gRPC responder) are kept by the server's environment.
    const server = { value: base };
    if (guard.frameLimits === base.limits.frameLimits) return Object.create(base, { dispatcher, server }) as ConnectionEnvironment;
    // The server's limits but for the frame limits: a view, not a copy of every field.
    const limits = Object.create(base.limits, { frameLimits: { value: guard.frameLimits } }) as ServerLimits;
    return Object.create(base, { dispatcher, server, limits: { value: limits } }) as ConnectionEnvironment;
  }

  /**
   * The environment of a connection the port's detector hands to `protocol`:
   * the TLS acceptor takes the base (each protocol inside TLS gets its own
   * later), a plaintext protocol a guarded one when authentication is on.
   */
  plaintextEnvironment(base: ConnectionEnvironment, protocol: ServerProtocol, socket: Socket, peer: string): ConnectionEnvironment {
    if (protocol === this.acceptor) return base;
    return this.environmentFor(base, socket, socket, peer, protocol.name, undefined, undefined);
  }

  /** Starts certificate reloads (file watch, signal). */
  start(): void {
    this.store?.start();
  }

  /** In a node:cluster primary (workers serve the port): the reload signal is passed on to every worker. */
  startAsPrimary(): void {
    this.store?.forwardSignalToWorkers();
  }

  stop(): void {
    this.store?.stop();
  }

  /**
   * Asks the authenticator about a client certificate alone, when the connection
   * opens: a principal found here is the connection's, so callers need no token.
   * Not finding one is no failure: the caller may still present credentials.
   */
  private transportPrincipal(identity: TlsPeerIdentity, peer: string): Promise<Principal | undefined> | undefined {
    const auth = this.auth;
    if (auth === undefined) return undefined;
    return (async () => {
      try {
        const principal = await auth.authenticate({ protocol: "tls", peer, metadata: noMetadata, credentials: {}, tls: identity, method: undefined });
        return principal !== undefined && typeof principal.id === "string" ? principal : undefined;
      } catch (error) {
        if (!(error instanceof RpcError && error.code === Code.UNAUTHENTICATED)) {
          auth.logger.warn({ peer, err: error instanceof Error ? error.message : String(error) }, "authenticator failed on a client certificate");
        }
        return undefined;
      }
    })();
  }
}

function resolveAuth(options: ServerAuthOptions, logger: Logger): AuthPolicy {
  const fail = (message: string): never => {
    throw new TypeError(`server option auth: ${message}`);
  };
  if (typeof options !== "object" || options === null) fail("expected an object");
  const known = new Set(["authenticate", "authorize", "timeoutMs", "maxUnauthenticatedRequestBytes", "maxFailures", "failureWindowMs"]);
  for (const key of Object.keys(options)) if (!known.has(key)) fail(`unknown option "${key}"`);
  if (typeof options.authenticate !== "function") fail("authenticate must be a function (e.g. staticTokenAuthenticator([...]))");
  if (options.authorize !== undefined && typeof options.authorize !== "function") fail("authorize must be a function");
  const positive = (name: string, value: number): number => {
    if (!(typeof value === "number" && value > 0 && Number.isFinite(value))) fail(`${name} must be a positive number, got ${String(value)}`);
    return value;
  };
  return {
    authenticate: options.authenticate,
    authorize: options.authorize,
    timeoutMs: positive("timeoutMs", options.timeoutMs ?? 5000),
    maxUnauthenticatedRequestBytes: positive("maxUnauthenticatedRequestBytes", options.maxUnauthenticatedRequestBytes ?? 64 * 1024),
    limiter: new FailureLimiter(positive("maxFailures", options.maxFailures ?? 10), positive("failureWindowMs", options.failureWindowMs ?? 60_000)),
    logger,
  };
}
