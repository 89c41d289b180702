import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";
import type { ServerHttp2Stream } from "node:http2";
import type { ConnectionEnvironment } from "../../server/server-protocol.js";
import type { HttpExchange } from "./http-exchange.js";

/** An HTTP/2 request stream (that is not gRPC) as an HttpExchange. */
export class Http2Exchange implements HttpExchange {
  readonly method: string;
  readonly httpVersion = "2";
  private answered = false;

  constructor(
    private readonly stream: ServerHttp2Stream,
    readonly headers: IncomingHttpHeaders,
    readonly path: string,
    readonly query: string,
    readonly body: Buffer,
    readonly peer: string,
    readonly env: ConnectionEnvironment,
    /** Headers every answer carries (CORS), or undefined. */
    private readonly extraHeaders: OutgoingHttpHeaders | undefined,
  ) {
    this.method = String(headers[":method"] ?? "GET");
  }

  get finished(): boolean {
    return this.answered || this.stream.destroyed || this.stream.closed;
  }

  onAbort(listener: () => void): void {
    this.stream.once("close", () => {
      if (!this.answered) listener();
    });
  }

  respond(status: number, headers: OutgoingHttpHeaders, body: Buffer | string): void {
    if (this.finished) return;
    this.answered = true;
    const all = { ...headers, ...this.extraHeaders, ":status": status };
    // A 204 has no body: node:http2 ends the stream with its HEADERS itself.
    if (status === 204) return void this.stream.respond(all, { endStream: true });
    this.stream.respond(all);
    this.stream.end(body);
  }
}
