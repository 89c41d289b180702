import type { Logger } from "../logger.js";
import { defaultLogger } from "../logger.js";
import type { Interceptor } from "../interceptors/interceptor.js";
import type { ObservabilityOptions } from "../observability/observability-options.js";
import type { OffloadOptions } from "../offload/offload-options.js";
import type { ServerAuthOptions } from "../security/authenticator.js";
import type { ServerTlsOptions } from "../security/server-tls-options.js";
import { CorsPolicy, type CorsOptions } from "../protocols/http/cors-policy.js";
import { defaultFrameLimits, type FrameLimits } from "../wire/frame-limits.js";

/**
 * Options of a Server. Every limit has a default that is safe against a hostile
 * client; docs/LIMITS.md lists them in one table with the reasoning.
 */
export interface ServerOptions {
  /**
   * Connections open at once, every protocol counted. At the limit the server first
   * sheds a connection that has not completed a request yet or is idle (the oldest),
   * and refuses the newcomer only when every connection is busy. Default 10000.
   */
  maxConnections?: number;
  /** Largest request: a frame of the binary protocol, one RESP command. Default 4 MiB. */
  maxFrameBytes?: number;
  /** Replies with bodies over this are gzip-compressed. Default 2 MiB. */
  compressThresholdBytes?: number;
  /**
   * Calls running at once on one connection. Further calls wait, in arrival order,
   * and the connection stops reading (TCP pushes back on the client) until one
   * finishes. Default 1000.
   */
  maxInFlightPerConnection?: number;
  /**
   * A connection with no request and no call in flight for this long is closed
   * (binary clients are sent goaway first). Partial requests do not count as
   * activity. Default 300000; 0 disables.
   */
  idleTimeoutMs?: number;
  /** A connection that has not completed its first request within this time is closed. Default 10000. */
  handshakeTimeoutMs?: number;
  /**
   * Unsent reply bytes on one connection (plus the expected size of the replies of
   * calls still running) above which it starts no new call and stops reading until
   * the client reads. Default 16 MiB.
   */
  maxPendingBytes?: number;
  /**
   * Unsent reply bytes of the whole server. Above it, a connection with replies still
   * unsent starts no new call until its own replies drain; connections whose clients
   * keep up are not held back. Default 256 MiB.
   */
  maxServerPendingBytes?: number;
  /**
   * Bytes of unfinished requests held for all connections together. A connection
   * that holds a large unfinished request while the server is over it is closed.
   * Default 256 MiB.
   */
  maxServerInputBytes?: number;
  /** Gzipped request bodies inflated at once per connection (off the event loop). Default 2. */
  maxInflatesPerConnection?: number;
  /** Compressed request bodies (gzip, Thrift THeader zlib) inflated at once by the whole server; more wait their turn. Default 4. */
  maxServerInflates?: number;
  /**
   * For development only: INTERNAL and UNKNOWN errors reach the caller with their
   * message instead of `internal error`. Never turn it on where callers are not trusted:
   * such messages carry connection strings, file paths and the like. Default false.
   */
  exposeErrorDetails?: boolean;
  /**
   * Methods that run in a pool of worker threads instead of on the event loop
   * (CPU-heavy handlers), and the pool's threads and queue limit. See docs/OFFLOAD.md.
   */
  offload?: OffloadOptions;
  /** Code run around every call's handler, whatever protocol carried it (docs/INTERCEPTORS.md). First is outermost. */
  interceptors?: readonly Interceptor[];
  /** Metrics, tracing, call logs, reflection and the readiness delay of graceful shutdown (docs/OBSERVABILITY.md). */
  observability?: ObservabilityOptions;
  /**
   * TLS on the port (certificate reloadable without a restart; mutual TLS with a
   * CA bundle); plaintext is then refused unless `allowPlaintext`. See docs/SECURITY.md.
   */
  tls?: ServerTlsOptions;
  /**
   * Authentication (who calls) and authorization (may they call this method) for
   * every protocol, and the limits a connection lives under until it has
   * authenticated. See docs/SECURITY.md.
   */
  auth?: ServerAuthOptions;
  /**
   * Browser pages of other origins allowed to call over gRPC-Web and Connect:
   * preflights answered, Access-Control-* headers on their calls' answers. Default
   * none: no CORS header is sent, so only pages of the port's own origin can call
   * (docs/PROTOCOL.md#cors).
   */
  cors?: CorsOptions;
  logger?: Logger;
}

/** The options with every default applied: what the server and its connections read. */
export interface ServerLimits {
  readonly maxConnections: number;
  readonly frameLimits: FrameLimits;
  readonly maxInFlightPerConnection: number;
  readonly idleTimeoutMs: number;
  readonly handshakeTimeoutMs: number;
  readonly maxPendingBytes: number;
  readonly maxServerPendingBytes: number;
  readonly maxServerInputBytes: number;
  readonly maxInflatesPerConnection: number;
  readonly maxServerInflates: number;
  /** Calls started from one chunk of input before the connection lets replies catch up. */
  readonly maxStartsPerTurn: number;
  readonly exposeErrorDetails: boolean;
  readonly interceptors: readonly Interceptor[];
  /** Cross-origin browser calls, or undefined: no CORS header at all. */
  readonly cors: CorsPolicy | undefined;
  readonly logger: Logger;
}

const MiB = 1024 * 1024;

export function resolveServerLimits(options: ServerOptions): ServerLimits {
  return {
    maxConnections: nonNegative("maxConnections", options.maxConnections ?? 10_000),
    frameLimits: {
      maxFrameBytes: positive("maxFrameBytes", options.maxFrameBytes ?? defaultFrameLimits.maxFrameBytes),
      compressThresholdBytes: positive(
        "compressThresholdBytes",
        options.compressThresholdBytes ?? defaultFrameLimits.compressThresholdBytes,
      ),
    },
    maxInFlightPerConnection: positive("maxInFlightPerConnection", options.maxInFlightPerConnection ?? 1000),
    idleTimeoutMs: nonNegative("idleTimeoutMs", options.idleTimeoutMs ?? 300_000),
    handshakeTimeoutMs: positive("handshakeTimeoutMs", options.handshakeTimeoutMs ?? 10_000),
    maxPendingBytes: positive("maxPendingBytes", options.maxPendingBytes ?? 16 * MiB),
    maxServerPendingBytes: positive("maxServerPendingBytes", options.maxServerPendingBytes ?? 256 * MiB),
    maxServerInputBytes: positive("maxServerInputBytes", options.maxServerInputBytes ?? 256 * MiB),
    maxInflatesPerConnection: positive("maxInflatesPerConnection", options.maxInflatesPerConnection ?? 2),
    maxServerInflates: positive("maxServerInflates", options.maxServerInflates ?? 4),
    maxStartsPerTurn: 64,
    exposeErrorDetails: options.exposeErrorDetails ?? false,
    interceptors: options.interceptors ?? [],
    cors: CorsPolicy.from(options.cors),
    logger: options.logger ?? defaultLogger(),
  };
}

function positive(name: string, value: number): number {
  if (!(typeof value === "number" && value > 0 && Number.isFinite(value))) {
    throw new TypeError(`server option ${name} must be a positive number, got ${String(value)}`);
  }
  return value;
}

function nonNegative(name: string, value: number): number {
  if (!(typeof value === "number" && value >= 0 && Number.isFinite(value))) {
    throw new TypeError(`server option ${name} must be zero or a positive number, got ${String(value)}`);
  }
  return value;
}
