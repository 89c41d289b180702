import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { ConnectionEnvironment } from "../../server/server-protocol.js";
import type { HttpExchange } from "./http-exchange.js";

/** An HTTP/1.1 request (node:http's request and response) as an HttpExchange. */
export class Http1Exchange implements HttpExchange {
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  readonly httpVersion = "1.1";
  private answered = false;
  private aborted = false;

  constructor(
    request: IncomingMessage,
    private readonly response: ServerResponse,
    readonly path: string,
    readonly query: string,
    readonly body: Buffer,
    readonly peer: string,
    readonly env: ConnectionEnvironment,
    /** Headers every answer carries (CORS), or undefined. */
    private readonly extraHeaders: OutgoingHttpHeaders | undefined,
    /** Set when the connection is draining: the answer says so, and the socket closes after it. */
    private readonly closeAfter: () => boolean,
    /** Called once the response is written to the socket (the connection counts what is left unsent). */
    private readonly responded: () => void,
  ) {
    this.method = request.method ?? "GET";
    this.headers = request.headers;
    response.once("close", () => {
      if (!this.answered) this.aborted = true;
    });
  }

  get finished(): boolean {
    return this.answered || this.aborted || this.response.destroyed;
  }

  onAbort(listener: () => void): void {
    this.response.once("close", () => {
      if (!this.answered) listener();
    });
  }

  respond(status: number, headers: OutgoingHttpHeaders, body: Buffer | string): void {
    if (this.finished) return;
    this.answered = true;
    const response = this.response;
    if (this.closeAfter()) response.shouldKeepAlive = false;
    // A known length instead of chunked encoding: one write, and the client knows where the body ends.
    // A 204 has no body and so no length (RFC 9110 §8.6).
    const length = typeof body === "string" ? Buffer.byteLength(body) : body.length;
    response.writeHead(status, status === 204 ? { ...headers, ...this.extraHeaders } : { "content-length": length, ...headers, ...this.extraHeaders });
    response.end(body);
    this.responded();
  }
}
