import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";
import type { ConnectionEnvironment } from "../../server/server-protocol.js";

/**
 * One HTTP request with its whole body read, over HTTP/1.1 or HTTP/2 alike:
 * what a route handler gets. The handler answers with exactly one `respond`;
 * until then the request counts as a call in flight on its connection.
 */
export interface HttpExchange {
  /** Upper case, as sent: `GET`, `POST`, … */
  readonly method: string;
  /** The path without the query, e.g. `/calculator.Calculator/add`. */
  readonly path: string;
  /** What follows `?` in the target, or "". */
  readonly query: string;
  /** Request headers, names in lower case (HTTP/2 pseudo-headers included on HTTP/2). */
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly httpVersion: "1.1" | "2";
  /** `host:port` of the client. */
  readonly peer: string;
  readonly env: ConnectionEnvironment;
  /** True once answered, or once the client went away (then nobody reads an answer). */
  readonly finished: boolean;
  /** Runs once if the client goes away before the answer was sent. */
  onAbort(listener: () => void): void;
  /** Sends the status, headers and body, plus the request's CORS headers if it has any (runtime/protocols/http/request-route.ts). Ignored once finished. */
  respond(status: number, headers: OutgoingHttpHeaders, body: Buffer | string): void;
}

/** Serves one exchange; it must call `respond` once, now or later. */
export type HttpHandler = (exchange: HttpExchange) => void;
