import type { IncomingMessage, OutgoingHttpHeaders, Server as HttpServer, ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { Code, RpcError } from "../../errors.js";
import type { WaitsForRoom } from "../../server/call-admission.js";
import { destroyAfterGrace } from "../../server/connection-close.js";
import { ReplyBacklog } from "../../server/reply-backlog.js";
import type { ServedConnection } from "../../server/served-connection.js";
import type { ConnectionEnvironment } from "../../server/server-protocol.js";
import { Http1Exchange } from "./http1-exchange.js";
import type { HttpRoutes } from "./http-routes.js";
import { parseRequestHead } from "./request-head.js";
import { plainAnswer, splitTarget } from "./respond-plain.js";
import { declaredLength, readRequestBody } from "./request-body.js";
import { bodyRefusal, reportHttpRefusal, shuttingDown } from "./http-refusal.js";
import { answerPreflight, corsHeadersOf, routeRequest } from "./request-route.js";

/**
 * One HTTP/1.1 connection, parsed by node:http (the http.Server it was handed
 * to), accounted for like every other connection: a request counts as a call in
 * flight from the moment its whole body is read until its response is written;
 * partial requests are not activity, so a slow or stalled sender meets the
 * handshake and idle sweeps. HTTP/1.1 knows no goaway: a draining connection
 * answers what it has with `Connection: close`, then closes.
 */
export class Http1Connection implements ServedConnection, WaitsForRoom {
  readonly protocol = "http";
  readonly openedAt = Date.now();
  lastActivityAt = this.openedAt;
  handshakeDone = false;
  private calls = 0;
  private draining = false;
  private paused = false;
  /** The replies this client has not read yet, as its share of the server's reply budget (as for every TCP protocol). */
  private readonly replies: ReplyBacklog;
  /**
   * Requests read while the server was over its reply budget and this client
   * was not reading its replies, in order: started once it reads. Made with
   * the first one held.
   */
  private held: (() => void)[] | undefined;

  constructor(
    private readonly socket: Socket,
    readonly peer: string,
    private readonly env: ConnectionEnvironment,
    private readonly routes: HttpRoutes,
  ) {
    this.replies = new ReplyBacklog(socket, env.replyBudget, this);
  }

  get inFlight(): number {
    return this.calls;
  }

  /** A request whose headers node:http has parsed. */
  onRequest(request: IncomingMessage, response: ServerResponse): void {
    const { path, query } = splitTarget(request.url ?? "/");
    const method = request.method ?? "GET";
    const headers = request.headers;
    const hasBody = headers["content-length"] !== undefined ? headers["content-length"] !== "0" : headers["transfer-encoding"] !== undefined;
    const cors = corsHeadersOf(this.env, method, headers);
    if (this.draining) {
      reportHttpRefusal(this.env, this.peer, path, headers, shuttingDown);
      return this.answer(response, 503, "server is shutting down", true, cors);
    }
    const route = routeRequest(this.routes, this.env, method, path, headers);
    if (typeof route !== "function") {
      reportHttpRefusal(this.env, this.peer, path, headers, route.error);
      // An unread body would have to be read to reach the next request: close instead.
      return this.answer(response, route.status, route.text, hasBody, { ...route.headers, ...cors });
    }
    const preflight = route === answerPreflight;
    const maxBodyBytes = preflight ? 0 : this.env.limits.frameLimits.maxFrameBytes;
    readRequestBody(request, declaredLength(headers["content-length"]), maxBodyBytes, this.env.inputBudget, (failure, body) => {
      if (failure === "aborted") return;
      if (failure !== undefined && !preflight) reportHttpRefusal(this.env, this.peer, path, headers, bodyRefusal(failure, maxBodyBytes));
      if (failure === "too-large") {
        if (preflight) return this.answer(response, 400, "a CORS preflight has no body", true);
        return this.answer(response, 413, `request body over the limit of ${maxBodyBytes} bytes`, true, cors);
      }
      if (failure === "over-budget") {
        this.env.logger.warn({ peer: this.peer }, "closing HTTP connection: the server's budget for unfinished requests is spent");
        this.socket.destroy();
        return;
      }
      const start = (): void => {
        this.callStarted();
        response.once("close", this.callFinished);
        const exchange = new Http1Exchange(request, response, path, query, body, this.peer, this.env, cors, () => this.draining, this.responded);
        try {
          route(exchange);
        } catch (error) {
          this.env.logger.error({ peer: this.peer, path: path.slice(0, 200), err: error }, "HTTP handler failed");
          exchange.respond(500, {}, "internal error\n");
        }
      };
      // Counted afresh before the call starts: node:http writes a pipelined response when the one before it ends.
      this.replies.flushed();
      // The server is over its reply budget and this client is not reading its replies: it waits (behind any held before).
      if (this.held === undefined && !this.replies.stuck) return start();
      (this.held ??= []).push(start);
      this.socket.pause();
    });
  }

  /** Starts the requests held back, in order, while this client's replies are not stuck (ReplyBacklog calls this). */
  roomMayHaveOpened(): void {
    const held = this.held;
    if (held === undefined) return;
    // Off the connection while they start: the reply one of them writes calls here again.
    this.held = undefined;
    while (held.length > 0 && !this.replies.stuck) held.shift()!();
    if (held.length > 0) {
      this.held = held;
      return;
    }
    if (!this.paused) this.socket.resume();
  }

  /** The socket closed: what was held will never start, and its unsent replies leave the server's budget. */
  socketClosed(): void {
    this.held = undefined;
    this.replies.release();
  }

  goaway(): void {
    if (this.draining) return;
    this.draining = true;
    if (this.calls === 0) {
      this.env.drained(this);
      this.end();
    }
  }

  end(): void {
    this.socket.end();
    destroyAfterGrace(this.socket);
  }

  destroy(): void {
    this.socket.destroy();
  }

  /**
   * Refuses the connection in HTTP's words (at the connection limit, or shutting
   * down): one 503, then close. node:http never parses its request; when the
   * request's whole head came with the first bytes, it is read here to report
   * the refused call (as a Thrift connection reports its refused first call)
   * and to give a browser page its CORS headers.
   */
  refuse(reason: string): void {
    this.draining = true;
    const head = this.socket.read() as Buffer | null;
    const request = head === null ? undefined : parseRequestHead(head);
    let cors: OutgoingHttpHeaders | undefined;
    if (request !== undefined) {
      const error = this.env.closing ? new RpcError(Code.UNAVAILABLE, reason) : new RpcError(Code.RESOURCE_EXHAUSTED, reason);
      reportHttpRefusal(this.env, this.peer, request.path, request.headers, error);
      cors = corsHeadersOf(this.env, request.method, request.headers);
    }
    const { headers, body } = plainAnswer(503, reason, { ...cors, connection: "close" });
    const lines = Object.entries(headers).map(([name, value]) => `${name}: ${String(value)}\r\n`);
    this.socket.end(`HTTP/1.1 503 Service Unavailable\r\n${lines.join("")}\r\n${body}`);
    destroyAfterGrace(this.socket);
  }

  private answer(response: ServerResponse, status: number, text: string, close: boolean, extra?: OutgoingHttpHeaders): void {
    const { headers, body } = plainAnswer(status, text, extra);
    if (close || this.draining) response.shouldKeepAlive = false;
    response.writeHead(status, headers);
    response.end(body);
  }

  private callStarted(): void {
    this.calls++;
    this.handshakeDone = true;
    this.lastActivityAt = Date.now();
    // Pipelined requests beyond the limit wait in the socket: TCP pushes back on the client.
    if (this.calls >= this.env.limits.maxInFlightPerConnection && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
  }

  /** A response was handed to the socket: what the kernel did not take counts against the server's reply budget. */
  private readonly responded = (): void => this.replies.flushed();

  private readonly callFinished = (): void => {
    this.calls--;
    this.lastActivityAt = Date.now();
    if (this.paused && this.calls < this.env.limits.maxInFlightPerConnection) {
      this.paused = false;
      this.socket.resume();
    }
    if (this.draining && this.calls === 0) {
      this.env.drained(this);
      this.end();
    }
  };
}

const connections = new WeakMap<Socket, Http1Connection>();

/** Hands `socket` to node:http's parser; its requests reach `connection`. */
export function attachHttp1(server: HttpServer, socket: Socket, connection: Http1Connection): void {
  connections.set(socket, connection);
  // One listener for every connection, which finds its own in the map: no closure per connection.
  socket.on("close", onSocketClose);
  server.emit("connection", socket);
}

function onSocketClose(this: Socket): void {
  connections.get(this)?.socketClosed();
}

/** The request listener of a server's http.Server: each request goes to its connection. */
export function routeHttp1Request(request: IncomingMessage, response: ServerResponse): void {
  connections.get(request.socket)?.onRequest(request, response);
}
