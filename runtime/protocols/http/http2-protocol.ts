import { createServer, type Http2Server } from "node:http2";
import type { Socket } from "node:net";
import type { ServerLimits } from "../../server/server-options.js";
import { serverEnvironmentOf, type ConnectionEnvironment, type Detection, type ServerProtocol } from "../../server/server-protocol.js";
import { detectHttp2Preface } from "./http-detect.js";
import { Http2Connection } from "./http2-connection.js";
import type { Http2StreamHandler } from "./http2-stream-handler.js";
import type { HttpRoutes } from "./http-routes.js";

const MiB = 1024 * 1024;

/**
 * The server's limits as HTTP/2 settings: calls in flight per connection are the
 * streams a client may open at once (SETTINGS_MAX_CONCURRENT_STREAMS: further
 * calls wait in the client, as rpcgen's wait in the socket); unsent reply bytes
 * bound the session's memory (above it, new streams are refused with
 * ENHANCE_YOUR_CALM, which gRPC clients read as RESOURCE_EXHAUSTED).
 */
function http2Options(limits: ServerLimits) {
  return {
    maxSessionMemory: Math.max(1, Math.ceil(limits.maxPendingBytes / MiB)),
    settings: { maxConcurrentStreams: limits.maxInFlightPerConnection, enablePush: false },
  };
}

/**
 * Cleartext HTTP/2 with prior knowledge on the service port: gRPC through its
 * stream handler, everything else through `routes` (Connect over HTTP/2).
 * Sessions are made by node:http2, one never-listening Http2Server per rpcgen
 * Server (one even where each connection has an environment of its own: TLS
 * client certificates, authentication), handed each detected socket; the
 * Http2Connection takes the session it makes, so each stream meets its own
 * connection's environment, never one the Http2Server knows. Its timeouts are
 * off, the rpcgen Server's sweeps close idle connections. Serving does not
 * depend on how the socket was obtained, so TLS with ALPN `h2` can hand its
 * sockets here too.
 */
export function createHttp2Protocol(routes: HttpRoutes, streamHandlers: readonly Http2StreamHandler[]): ServerProtocol {
  const servers = new WeakMap<ConnectionEnvironment, Http2Server>();
  const serverFor = (env: ConnectionEnvironment): Http2Server => {
    const key = serverEnvironmentOf(env);
    let server = servers.get(key);
    if (server === undefined) {
      // The server's limits, not a connection's (lowered until it authenticates): the settings are the same for every session.
      server = createServer(http2Options(key.limits));
      servers.set(key, server);
    }
    return server;
  };
  return {
    name: "http2",
    detect(head: Buffer): Detection {
      return detectHttp2Preface(head);
    },
    serve(socket: Socket, peer: string, env: ConnectionEnvironment, refusal?: string) {
      const connection = new Http2Connection(socket, peer, env, routes, streamHandlers);
      connection.start(serverFor(env), refusal);
      return connection;
    },
  };
}
