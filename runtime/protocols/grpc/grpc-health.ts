import type { IncomingHttpHeaders } from "node:http";
import { constants, type ServerHttp2Stream } from "node:http2";
import type { ConnectionEnvironment } from "../../server/server-protocol.js";
import type { Http2StreamHandler } from "../http/http2-stream-handler.js";
import { servedServiceName } from "../../observability/health/service-names.js";
import { framedMessage, messagePrefixBytes } from "./grpc-message.js";
import { endWithStatus } from "./grpc-responder.js";
import { grpcStatusOf } from "./grpc-status.js";

const healthPrefix = "/grpc.health.v1.Health/";
/** A HealthCheckRequest holds one service name; anything larger is not one. */
const maxRequestBytes = 4096;
/** grpc.health.v1.HealthCheckResponse.ServingStatus */
const servingStatus = { SERVING: 1, NOT_SERVING: 2 } as const;

/**
 * The gRPC health protocol (grpc/doc/health-checking.md) on the service port:
 * `grpc.health.v1.Health/Check` answers SERVING or NOT_SERVING for the whole
 * server (service "") or one of its services (by IDL name, qualified name or
 * proto name), NOT_FOUND for a service it does not serve; `Watch` is
 * UNIMPLEMENTED, which health-checking clients read as "poll Check".
 * Wraps the gRPC stream handler: every other path goes to it unchanged.
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
  if (method !== "Check") return endWithStatus(stream, grpcStatusOf.UNIMPLEMENTED, `grpc.health.v1.Health/${method.slice(0, 50)} is not implemented; use Check`);
  if (headers[":method"] !== "POST") return endWithStatus(stream, grpcStatusOf.UNIMPLEMENTED, "gRPC calls are POST requests");
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
    const service = serviceField(request.subarray(messagePrefixBytes));
    if (service === undefined) return endWithStatus(stream, grpcStatusOf.INTERNAL, "malformed HealthCheckRequest");
    if (service !== "" && servedServiceName(env.dispatcher.table, service) === undefined) return endWithStatus(stream, grpcStatusOf.NOT_FOUND, `unknown service ${service.slice(0, 100)}`);
    const status = env.closing ? "NOT_SERVING" : env.observability.health.status(service);
    const frame = framedMessage(2, (target, offset) => {
      target[offset] = 0x08; // field 1, varint
      target[offset + 1] = servingStatus[status];
    });
    if (stream.destroyed || stream.closed || stream.headersSent) return;
    stream.respond({ [constants.HTTP2_HEADER_STATUS]: 200, "content-type": "application/grpc" }, { waitForTrailers: true });
    stream.once("wantTrailers", () => stream.sendTrailers({ "grpc-status": "0" }));
    stream.end(frame);
  });
}

/** Field 1 (`service`, a string) of a HealthCheckRequest; "" when absent, undefined when the bytes are not a message. */
function serviceField(message: Buffer): string | undefined {
  let offset = 0;
  let service = "";
  const varint = (): number | undefined => {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (offset >= message.length) return undefined;
      const byte = message[offset++]!;
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return value;
    }
    return undefined;
  };
  while (offset < message.length) {
    const tag = varint();
    if (tag === undefined) return undefined;
    const wireType = tag & 7;
    if (wireType === 0) {
      if (varint() === undefined) return undefined;
    } else if (wireType === 1 || wireType === 5) {
      offset += wireType === 1 ? 8 : 4;
    } else if (wireType === 2) {
      const length = varint();
      if (length === undefined || offset + length > message.length) return undefined;
      if (tag >>> 3 === 1) service = message.toString("utf8", offset, offset + length);
      offset += length;
    } else {
      return undefined;
    }
  }
  return offset === message.length ? service : undefined;
}
