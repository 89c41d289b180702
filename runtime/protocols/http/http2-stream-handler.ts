import type { IncomingHttpHeaders } from "node:http";
import type { ServerHttp2Stream } from "node:http2";
import type { ConnectionEnvironment } from "../../server/server-protocol.js";

/**
 * A protocol that lives on HTTP/2 streams themselves (gRPC: trailers, its own
 * message framing), rather than on whole request bodies through HttpRoutes.
 * The HTTP/2 connection hands it every stream it accepts, and accounts for the
 * stream as a call in flight until the stream closes.
 */
export interface Http2StreamHandler {
  /** True for the streams this handler serves, by their content type. */
  accepts(contentType: string | undefined): boolean;
  serve(stream: ServerHttp2Stream, headers: IncomingHttpHeaders, env: ConnectionEnvironment, peer: string): void;
}
