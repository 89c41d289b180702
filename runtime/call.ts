import type { MethodDescriptor, ServiceDescriptor } from "./descriptor.js";
import type { Principal } from "./security/principal.js";
import type { TlsPeerIdentity } from "./security/tls-peer.js";

/** Per-call options: the optional last argument of every generated client method. */
export interface CallOptions {
  /** Time allowed for the call, in milliseconds; overrides the method's `rpc.timeout`. */
  timeoutMs?: number;
  /** Aborting the signal cancels the call: it rejects with CANCELLED at once. */
  signal?: AbortSignal;
  /** Routing key for consistent-hash load balancing; overrides the `rpc.routekey` argument. */
  routeKey?: string;
  /**
   * String key/values carried to the server's CallContext. Credentials go here
   * per call: `{ authorization: "Bearer <token>" }` (see `bearerToken`) or
   * `{ "x-api-key": "<token>" }`; they win over a channel's own.
   */
  metadata?: Record<string, string>;
}

/**
 * What a generated client calls. A direct connection, a pool, or a governed
 * cluster client (discovery + balancer + policy) all implement it, so the same
 * generated `XClient` class works over any of them.
 */
export interface Invoker {
  /**
   * Calls `method` with its arguments in IDL order. Resolves with the return value
   * (undefined for void and oneway), rejects with a generated exception instance for
   * a declared exception, or with an RpcError.
   */
  invoke(method: MethodDescriptor, args: readonly unknown[], options?: CallOptions): Promise<unknown>;
}

/** What a handler method receives as its last argument. */
export interface CallContext {
  readonly service: ServiceDescriptor;
  readonly method: MethodDescriptor;
  /** Absolute deadline (epoch milliseconds), or undefined when the caller set none. */
  readonly deadline: number | undefined;
  /** Aborted when the deadline passes, the caller cancels, or the connection closes. */
  readonly signal: AbortSignal;
  readonly metadata: Readonly<Record<string, string>>;
  /** `host:port` of the caller. */
  readonly peer: string;
  /**
   * Who is calling, as the server's authenticator decided (see docs/SECURITY.md);
   * undefined on a server without authentication and for a public method
   * (`auth = "none"`) called by a connection that has not authenticated.
   */
  readonly principal: Principal | undefined;
  /** The caller's verified client certificate on a mutual-TLS connection, else undefined. */
  readonly tlsPeer: TlsPeerIdentity | undefined;
}

/**
 * A handler as the runtime sees it: an object whose properties (named by each
 * method's `jsName`) are functions taking the IDL arguments, then a CallContext.
 * Generated `XHandler` interfaces are the typed view of this.
 */
export type HandlerObject = object;

/** Anything that can serve a handler: a Server, a worker pool. Generated `registerX` functions take one. */
export interface ServiceRegistrar {
  addService(service: ServiceDescriptor, handler: object): void;
}
