import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";
import { Code, RpcError } from "../../errors.js";
import type { ConnectionEnvironment } from "../../server/server-protocol.js";
import { headersToMetadata } from "./headers-to-metadata.js";
import type { BodyFailure } from "./request-body.js";
import { RpcPaths } from "./rpc-paths.js";

/** An answer the HTTP layer gives itself, before any handler (404, 405, 413, 503): what it says, and what a call refused so is reported as. */
export interface HttpRefusal {
  readonly status: number;
  readonly text: string;
  readonly headers?: OutgoingHttpHeaders;
  readonly error: RpcError;
}

/** Headers of HTTP itself, not metadata of the call. */
const httpOwnHeaders = new Set(["content-type", "content-length", "content-encoding", "accept-encoding", "host", "connection", "keep-alive", "transfer-encoding", "te", "upgrade", "origin"]);

function httpOwnHeader(name: string): boolean {
  return httpOwnHeaders.has(name);
}

/**
 * The protocol a refused request was speaking, as the routes would have told
 * (http-protocols.ts): gRPC-Web by its content type, Connect every other POST.
 * The HTTP layer only looks, it imports neither protocol.
 */
function protocolOf(contentType: string | undefined): string {
  return contentType !== undefined && contentType.startsWith("application/grpc-web") ? "grpc-web" : "connect";
}

/**
 * Reports a request the HTTP layer answered `error` itself, so that it is
 * counted and traced (in the caller's trace, from its traceparent) like the
 * dispatch's refusals: as its method when the path names one, as an unknown
 * method (`_OTHER`) otherwise.
 */
export function reportHttpRefusal(env: ConnectionEnvironment, peer: string, path: string, headers: IncomingHttpHeaders, error: RpcError): void {
  const registered = RpcPaths.of(env.dispatcher.table).lookup(path);
  const metadata = headersToMetadata(headers, httpOwnHeader);
  env.dispatcher.refusedEarly(registered?.method, registered?.method.fullName ?? path.slice(0, 200), protocolOf(headers["content-type"]), peer, error, metadata);
}

/** Why a draining HTTP/1.1 connection answers 503. */
export const shuttingDown = new RpcError(Code.UNAVAILABLE, "server is shutting down");

/** The error a call whose body could not be read is reported with. */
export function bodyRefusal(failure: Exclude<BodyFailure, "aborted">, maxBodyBytes: number): RpcError {
  return failure === "too-large"
    ? new RpcError(Code.RESOURCE_EXHAUSTED, `request body over the limit of ${maxBodyBytes} bytes`)
    : new RpcError(Code.RESOURCE_EXHAUSTED, "the server's budget for unfinished requests is spent");
}
