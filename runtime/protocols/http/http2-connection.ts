import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";
import { constants, type Http2Server, type ServerHttp2Session, type ServerHttp2Stream } from "node:http2";
import type { Socket } from "node:net";
import { destroyAfterGrace } from "../../server/connection-close.js";
import type { ServedConnection } from "../../server/served-connection.js";
import type { ConnectionEnvironment } from "../../server/server-protocol.js";
import { Http2Exchange } from "./http2-exchange.js";
import type { Http2StreamHandler } from "./http2-stream-handler.js";
import type { HttpRoutes } from "./http-routes.js";
import { plainAnswer, splitTarget } from "./respond-plain.js";
import { declaredLength, readRequestBody } from "./request-body.js";
import { bodyRefusal, reportHttpRefusal } from "./http-refusal.js";
import { answerPreflight, corsHeadersOf, routeRequest } from "./request-route.js";

/**
 * One HTTP/2 connection (a node:http2 session): gRPC streams go to their stream
 * handler, other requests to the HTTP routes (Connect). A stream is a call in
 * flight from the end of its request (END_STREAM) until it closes: a stream
 * whose request never ends is a partial request, not activity, so it cannot
 * keep a connection from the idle sweep. The server's limits map onto the
 * session's settings (see http2-protocol.ts). goaway is HTTP/2's own GOAWAY: the client sends new calls
 * elsewhere while the streams already accepted finish.
 */
export class Http2Connection implements ServedConnection {
  readonly protocol = "http2";
  readonly openedAt = Date.now();
  lastActivityAt = this.openedAt;
  handshakeDone = false;
  private session: ServerHttp2Session | undefined;
  private calls = 0;
  private draining = false;
  /** Set by end() or destroy() before the session exists. */
  private closeRequested: "end" | "destroy" | undefined;

  constructor(
    private readonly socket: Socket,
    readonly peer: string,
    private readonly env: ConnectionEnvironment,
    private readonly routes: HttpRoutes,
    private readonly streamHandlers: readonly Http2StreamHandler[],
  ) {}

  get inFlight(): number {
    return this.calls;
  }

  /**
   * Creates the session over the socket. The detector read the preface and put it
   * back; node:http2 reads what is buffered on the socket a tick after the session
   * is made, so the bytes are taken out now (nothing may flow them away meanwhile)
   * and put back, with the socket paused, just before the session is made.
   */
  start(server: Http2Server, refusal?: string): void {
    const head = this.socket.read() as Buffer | null;
    process.nextTick(() => {
      if (this.socket.destroyed) return;
      this.socket.pause();
      if (head !== null) this.socket.unshift(head);
      let session: ServerHttp2Session | undefined;
      const capture = (created: ServerHttp2Session): void => {
        session = created;
      };
      server.on("session", capture);
      server.emit("connection", this.socket);
      server.off("session", capture);
      if (session === undefined) return void this.socket.destroy();
      this.attach(session, refusal);
    });
  }

  goaway(): void {
    if (this.draining) return;
    this.draining = true;
    // close() sends GOAWAY naming the last stream taken, and ends the session once its streams are done.
    this.session?.close();
    if (this.calls === 0) this.env.drained(this);
  }

  end(): void {
    if (this.session === undefined) {
      this.closeRequested ??= "end";
      return;
    }
    this.session.close();
    destroyAfterGrace(this);
  }

  destroy(): void {
    this.closeRequested = "destroy";
    this.session?.destroy();
    this.socket.destroy();
  }

  private attach(session: ServerHttp2Session, refusal: string | undefined): void {
    this.session = session;
    session.on("error", (error) => this.env.logger.debug({ peer: this.peer, err: error.message }, "HTTP/2 session error"));
    if (refusal !== undefined) {
      // In HTTP/2's words: GOAWAY with the reason; at the connection limit, ENHANCE_YOUR_CALM.
      const code = this.env.closing ? constants.NGHTTP2_NO_ERROR : constants.NGHTTP2_ENHANCE_YOUR_CALM;
      session.goaway(code, 0, Buffer.from(refusal));
      this.draining = true;
      this.end();
      return;
    }
    session.on("stream", (stream, headers) => this.onStream(stream, headers));
    if (this.closeRequested === "destroy") this.destroy();
    else if (this.closeRequested === "end" || this.draining) {
      this.draining = false;
      this.goaway();
      if (this.closeRequested === "end") this.end();
    }
  }

  private onStream(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    stream.once("end", this.requestEnded);
    stream.once("close", this.streamClosed);
    // A client's RST_STREAM with an error code (connect-es resets timed-out calls with INTERNAL_ERROR)
    // surfaces as an 'error' on the stream: without a listener it would take the whole process down.
    stream.on("error", this.streamFailed);
    const contentType = headers["content-type"];
    for (const handler of this.streamHandlers) {
      if (handler.accepts(contentType)) return handler.serve(stream, headers, this.env, this.peer);
    }
    this.serveRoute(stream, headers);
  }

  private serveRoute(stream: ServerHttp2Stream, headers: IncomingHttpHeaders): void {
    const method = String(headers[":method"] ?? "GET");
    const { path, query } = splitTarget(String(headers[":path"] ?? "/"));
    const cors = corsHeadersOf(this.env, method, headers);
    const route = routeRequest(this.routes, this.env, method, path, headers);
    if (typeof route !== "function") {
      reportHttpRefusal(this.env, this.peer, path, headers, route.error);
      return answer(stream, route.status, route.text, { ...route.headers, ...cors });
    }
    const preflight = route === answerPreflight;
    const maxBodyBytes = preflight ? 0 : this.env.limits.frameLimits.maxFrameBytes;
    const length = declaredLength(headers["content-length"] as string | undefined);
    readRequestBody(stream, length, maxBodyBytes, this.env.inputBudget, (failure, body) => {
      if (failure === "aborted") return;
      if (failure !== undefined && !preflight) reportHttpRefusal(this.env, this.peer, path, headers, bodyRefusal(failure, maxBodyBytes));
      if (failure === "too-large") {
        if (preflight) return answer(stream, 400, "a CORS preflight has no body");
        return answer(stream, 413, `request body over the limit of ${maxBodyBytes} bytes`, cors);
      }
      if (failure === "over-budget") {
        this.env.logger.warn({ peer: this.peer }, "closing HTTP/2 connection: the server's budget for unfinished requests is spent");
        return this.destroy();
      }
      const exchange = new Http2Exchange(stream, headers, path, query, body, this.peer, this.env, cors);
      try {
        route(exchange);
      } catch (error) {
        this.env.logger.error({ peer: this.peer, path: path.slice(0, 200), err: error }, "HTTP handler failed");
        exchange.respond(500, {}, "internal error\n");
      }
    });
  }

  private readonly streamFailed = (error: Error): void => {
    this.env.logger.debug({ peer: this.peer, err: error.message }, "HTTP/2 stream reset");
  };

  /** Listeners shared by every stream of the connection (`this` is the stream), so a stream costs no closures. */
  private readonly requestEnded = countingListener(this, (connection) => {
    connection.calls++;
    connection.handshakeDone = true;
    connection.lastActivityAt = Date.now();
  });

  private readonly streamClosed = countingListener(this, (connection, counted) => {
    if (!counted) return;
    connection.calls--;
    connection.lastActivityAt = Date.now();
    if (connection.draining && connection.calls === 0) connection.env.drained(connection);
  });
}

const counted = Symbol("counted as a call in flight");

/**
 * A stream listener that knows its connection: `onEnd` marks the stream as
 * counted, and the close listener learns whether it was.
 */
function countingListener(
  connection: Http2Connection,
  action: (connection: Http2Connection, counted: boolean) => void,
): (this: ServerHttp2Stream) => void {
  return function (this: ServerHttp2Stream): void {
    const stream = this as ServerHttp2Stream & { [counted]?: boolean };
    const wasCounted = stream[counted] === true;
    stream[counted] = true;
    action(connection, wasCounted);
  };
}

/** A plain answer that also ends the stream's reading side (RST_STREAM NO_ERROR after the response). */
function answer(stream: ServerHttp2Stream, status: number, text: string, extra?: OutgoingHttpHeaders): void {
  if (stream.destroyed || stream.closed) return;
  const { headers, body } = plainAnswer(status, text, extra);
  stream.respond({ ...headers, ":status": status });
  stream.end(body);
}
