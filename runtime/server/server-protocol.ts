import type { Socket } from "node:net";
import type { Logger } from "../logger.js";
import type { ServerObservability } from "../observability/server-observability.js";
import type { ConcurrencyLimit } from "./concurrency-limit.js";
import type { Dispatcher } from "./dispatch.js";
import type { MemoryBudget } from "./memory-budget.js";
import type { ServedConnection } from "./served-connection.js";
import type { ServerLimits } from "./server-options.js";

/** What every protocol connection of a server shares. */
export interface ConnectionEnvironment {
  readonly dispatcher: Dispatcher;
  readonly limits: ServerLimits;
  readonly logger: Logger;
  /** The server's health, metrics and reflection, for the routes that serve them (GET /health, /metrics, /). */
  readonly observability: ServerObservability;
  /** Unsent reply bytes of the whole server. */
  readonly replyBudget: MemoryBudget;
  /** Bytes of unfinished requests of the whole server. */
  readonly inputBudget: MemoryBudget;
  /** Gzip inflates of the whole server: at most maxServerInflates run at once. */
  readonly inflates: ConcurrencyLimit;
  /** True once the server is shutting down: new connections and calls are refused. */
  readonly closing: boolean;
  /** A draining connection has no call left in flight. */
  drained(connection: ServedConnection): void;
  /**
   * The server's own environment, on a connection's own one (made under
   * authentication or client certificates: a view of the server's with the
   * connection's guarded dispatcher and limits); unset on the server's.
   */
  readonly server?: ConnectionEnvironment;
}

/**
 * The environment every connection of `env`'s server shares: what objects made
 * once per server (node:http's and node:http2's servers, the gRPC responder)
 * are kept by and made from. Never the source of a request's dispatcher,
 * principal or limits: those are its connection's (`env` itself).
 */
export function serverEnvironmentOf(env: ConnectionEnvironment): ConnectionEnvironment {
  return env.server ?? env;
}

/** How sure a protocol is that a connection's first bytes are its own. */
export type Detection = "yes" | "no" | "need-more";

/**
 * One protocol the server port speaks: it recognises a connection by its first
 * bytes and then owns the socket, turning bytes into calls for the one dispatch
 * and outcomes back into bytes.
 */
export interface ServerProtocol {
  readonly name: string;
  /**
   * ALPN ids (RFC 7301) a TLS client names this protocol by, e.g. ["h2"]. The
   * server advertises the ids of every protocol it speaks; a client that names
   * one only this protocol claims skips detection by first bytes. Default: by
   * name (runtime/security/tls-acceptor.ts, docs/SECURITY.md).
   */
  readonly alpn?: readonly string[];
  /**
   * True when `serve` starts reading the socket itself (TLS hands it to
   * OpenSSL): the detector then leaves it paused. Default false.
   */
  readonly startsReading?: boolean;
  /** Looks at the first bytes of a connection (all that arrived so far). */
  detect(head: Buffer): Detection;
  /**
   * Takes over `socket`; its first bytes have been unshifted back onto it. When
   * `refusal` is set the server cannot take the connection: say so in the
   * protocol's own words and close.
   */
  serve(socket: Socket, peer: string, env: ConnectionEnvironment, refusal?: string): ServedConnection;
}
