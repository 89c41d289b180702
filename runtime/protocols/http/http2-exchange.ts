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
    this.stream.respond({ ...headers, ":status": status });
    this.stream.end(body);
  }
}
