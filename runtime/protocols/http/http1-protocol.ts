import { createServer, type Server as HttpServer } from "node:http";
import type { Socket } from "node:net";
import { serverEnvironmentOf, type ConnectionEnvironment, type Detection, type ServerProtocol } from "../../server/server-protocol.js";
import { detectHttp1RequestLine } from "./http-detect.js";
import { Http1Connection, attachHttp1, routeHttp1Request } from "./http1-connection.js";
import type { HttpRoutes } from "./http-routes.js";

/**
 * HTTP/1.1 on the service port, answering from `routes` (Connect, and whatever
 * else registers there). Requests are parsed by node:http: one http.Server per
 * rpcgen Server, never listening, handed each detected socket — one even where
 * each connection has an environment of its own (TLS client certificates,
 * authentication), so a connection costs no server. The http.Server knows no
 * environment: each request goes to its socket's Http1Connection, which holds
 * the connection's (see attachHttp1). Its own timers are off: the rpcgen
 * Server's handshake and idle sweeps close slow and idle connections, as for
 * every protocol.
 */
export function createHttp1Protocol(routes: HttpRoutes): ServerProtocol {
  const servers = new WeakMap<ConnectionEnvironment, HttpServer>();
  const serverFor = (env: ConnectionEnvironment): HttpServer => {
    const key = serverEnvironmentOf(env);
    let server = servers.get(key);
    if (server === undefined) {
      server = createServer({ requestTimeout: 0, noDelay: true }, routeHttp1Request);
      server.timeout = 0;
      server.keepAliveTimeout = 0;
      server.headersTimeout = 0;
      servers.set(key, server);
    }
    return server;
  };
  return {
    name: "http",
    detect(head: Buffer): Detection {
      return detectHttp1RequestLine(head);
    },
    serve(socket: Socket, peer: string, env: ConnectionEnvironment, refusal?: string) {
      const connection = new Http1Connection(socket, peer, env, routes);
      if (refusal !== undefined) connection.refuse(refusal);
      else attachHttp1(serverFor(env), socket, connection);
      return connection;
    },
  };
}
