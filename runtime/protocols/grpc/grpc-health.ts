import type { IncomingHttpHeaders } from "node:http";
import { constants, type ServerHttp2Stream } from "node:http2";
import type { ConnectionEnvironment } from "../../server/server-protocol.js";
import type { Http2StreamHandler } from "../http/http2-stream-handler.js";
import type { HealthState } from "../../observability/health/health-state.js";
import { servedServiceName } from "../../observability/health/service-names.js";
import { messagePrefixBytes } from "./grpc-message.js";
import { endWithStatus } from "./grpc-responder.js";
import { grpcStatusOf } from "./grpc-status.js";
import { parseGrpcTimeout } from "./grpc-timeout.js";
import { HealthWatches } from "./grpc-health-watch.js";
import { healthRequestService, healthResponseFrame, servingStatusOf } from "./health-messages.js";

const healthPrefix = "/grpc.health.v1.Health/";
/** A HealthCheckRequest holds one service name; anything larger is not one. */
const maxRequestBytes = 4096;

const okHeaders = { [constants.HTTP2_HEADER_STATUS]: 200, "content-type": "application/grpc" };
// No Date header; a hoisted object, since @types/node does not list sendDate.
const replyOptions = { waitForTrailers: true, sendDate: false };
const okTrailers = { "grpc-status": "0" };

/**
 * The watches of each server, by its HealthState: one per server even where
 * each connection has an environment of its own (TLS, authentication), so the
 * per-server bound holds and the server's status has one listener.
 */
const watchesOf = new WeakMap<HealthState, HealthWatches>();

/**
 * The gRPC health protocol (grpc/doc/health-checking.md) on the service port:
 * `grpc.health.v1.Health/Check` answers SERVING or NOT_SERVING for the whole
 * server (service "") or one of its services (by IDL name, qualified name or
 * proto name), NOT_FOUND for a service it does not serve; `Watch` streams the
 * status, then every change of it (see HealthWatches), SERVICE_UNKNOWN for a
 * service it does not serve. Wraps the gRPC stream handler: every other path
 * goes to it unchanged.
 */
export function withGrpcHealth(grpc: Http2StreamHandler): Http2StreamHandler {
  return {
    accepts: (contentType) => grpc.accepts(contentType),
    serve(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, env: ConnectionEnvironment, peer: string): void {
      const path = headers[":path"];
      if (typeof path === "string" && path.startsWith(healthPrefix)) serveHealth(stream, path.slice(healthPrefix.length), headers, env);
      else grpc.serve(stream, headers, env, peer);
    },
  };
}

function serveHealth(stream: ServerHttp2Stream, method: string, headers: IncomingHttpHeaders, env: ConnectionEnvironment): void {
  if (method !== "Check" && method !== "Watch") return endWithStatus(stream, grpcStatusOf.UNIMPLEMENTED, `grpc.health.v1.Health/${method.slice(0, 50)} is not implemented`);
  if (headers[":method"] !== "POST") return endWithStatus(stream, grpcStatusOf.UNIMPLEMENTED, "gRPC calls are POST requests");
  const timeoutMs = parseGrpcTimeout(headers["grpc-timeout"]);
  if (Number.isNaN(timeoutMs)) return endWithStatus(stream, grpcStatusOf.INTERNAL, `malformed grpc-timeout ${JSON.stringify(headers["grpc-timeout"])}`);
  readHealthRequest(stream, (service) => {
    const known = service === "" || servedServiceName(env.dispatcher.table, service) !== undefined;
    if (method === "Watch") {
      const health = env.observability.health;
      let watches = watchesOf.get(health);
      if (watches === undefined) watchesOf.set(health, (watches = new HealthWatches(health)));
      return watches.start(stream, service, known, timeoutMs === undefined ? undefined : Date.now() + timeoutMs);
    }
    if (!known) return endWithStatus(stream, grpcStatusOf.NOT_FOUND, `unknown service ${service.slice(0, 100)}`);
    const status = env.closing ? "NOT_SERVING" : env.observability.health.status(service);
    if (stream.destroyed || stream.closed || stream.headersSent) return;
    stream.respond(okHeaders, replyOptions);
    stream.once("wantTrailers", () => stream.sendTrailers(okTrailers));
    stream.end(healthResponseFrame(servingStatusOf[status]));
  });
}

/** Reads the one HealthCheckRequest of a call (at most maxRequestBytes) and gives its `service`; a bad request ends the call. */
function readHealthRequest(stream: ServerHttp2Stream, then: (service: string) => void): void {
  const chunks: Buffer[] = [];
  let length = 0;
  stream.on("data", (chunk: Buffer) => {
    length += chunk.length;
    if (length <= maxRequestBytes) chunks.push(chunk);
  });
  stream.once("end", () => {
    if (length > maxRequestBytes) return endWithStatus(stream, grpcStatusOf.RESOURCE_EXHAUSTED, "health check request too large");
    const request = Buffer.concat(chunks, length);
    if (request.length < messagePrefixBytes || request[0] !== 0 || request.readUInt32BE(1) !== request.length - messagePrefixBytes) {
      return endWithStatus(stream, grpcStatusOf.INTERNAL, "a health check carries one uncompressed HealthCheckRequest message");
    }
    const service = healthRequestService(request.subarray(messagePrefixBytes));
    if (service === undefined) return endWithStatus(stream, grpcStatusOf.INTERNAL, "malformed HealthCheckRequest");
    then(service);
  });
}
