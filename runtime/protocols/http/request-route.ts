import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";
import { Code, RpcError } from "../../errors.js";
import type { ConnectionEnvironment } from "../../server/server-protocol.js";
import type { HttpHandler } from "./http-exchange.js";
import type { HttpRefusal } from "./http-refusal.js";
import type { HttpRoutes } from "./http-routes.js";
import { RpcPaths } from "./rpc-paths.js";

/** Answers a CORS preflight: 204 with the policy's headers for its Origin (only Vary for an origin not allowed). */
export const answerPreflight: HttpHandler = (exchange) => {
  exchange.respond(204, exchange.env.limits.cors!.preflightHeaders(String(exchange.headers.origin)), "");
};

/** A browser's CORS preflight (Origin and Access-Control-Request-Method) for a method the server serves, with CORS configured. */
function isPreflight(env: ConnectionEnvironment, path: string, headers: IncomingHttpHeaders): boolean {
  if (env.limits.cors === undefined || headers.origin === undefined || headers["access-control-request-method"] === undefined) return false;
  return RpcPaths.of(env.dispatcher.table).lookup(path) !== undefined;
}

/**
 * Who answers a request, told from its head before its body is read: a CORS
 * preflight, a route's handler, or the HTTP layer itself with 404 (no route
 * serves the path) or 405 (routes serve it, with other methods).
 */
export function routeRequest(routes: HttpRoutes, env: ConnectionEnvironment, method: string, path: string, headers: IncomingHttpHeaders): HttpHandler | HttpRefusal {
  if (method === "OPTIONS" && isPreflight(env, path, headers)) return answerPreflight;
  const handler = routes.find(method, path);
  if (handler !== undefined) return handler;
  const allowed = routes.allowed(path);
  const shown = path.slice(0, 200);
  if (allowed.length === 0) return { status: 404, text: "not found", error: new RpcError(Code.UNIMPLEMENTED, `nothing is served at ${shown}`) };
  const allow = allowed.join(", ");
  return { status: 405, text: "method not allowed", headers: { allow }, error: new RpcError(Code.UNIMPLEMENTED, `${method.slice(0, 20)} is not served at ${shown}: use ${allow}`) };
}

/**
 * The CORS headers every answer to a call (a POST) from a browser page carries,
 * whatever answers it; undefined without CORS or without an Origin, so other
 * clients pay one check.
 */
export function corsHeadersOf(env: ConnectionEnvironment, method: string, headers: IncomingHttpHeaders): OutgoingHttpHeaders | undefined {
  const cors = env.limits.cors;
  const origin = headers.origin;
  return cors === undefined || origin === undefined || method !== "POST" ? undefined : cors.responseHeaders(origin);
}
