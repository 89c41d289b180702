import { constants, type ServerHttp2Stream } from "node:http2";
import type { ConnectionEnvironment } from "../../server/server-protocol.js";
import { endWithStatus } from "./grpc-responder.js";
import { encodeGrpcMessage, grpcStatusOf } from "./grpc-status.js";
import { healthResponseFrame, servingStatusOf } from "./health-messages.js";

/** Watches open at once on one server; a further one ends RESOURCE_EXHAUSTED. */
export const maxHealthWatchesPerServer = 1000;
/** Watches open at once on one HTTP/2 connection (a health-checking client needs one per service it watches). */
export const maxHealthWatchesPerConnection = 16;
/** How often the open watches look at the server's status: a change reaches watchers within this. */
export const healthWatchPollMs = 100;

/** Where a watch writes: one HealthCheckResponse at a time, then the trailers. */
export interface WatchSink {
  /** Writes one framed message; `done` runs once the bytes left (HTTP/2 flow control let them), with an error if they never will. */
  write(frame: Buffer, done: (error?: Error | null) => void): void;
  /** Ends the response with the status as trailers, after what was written. */
  end(status: number, message: string): void;
}

/**
 * One `Watch` call: sends the status it is given when it differs from the last
 * one sent. At most one message is on its way at a time; while it waits (a
 * client that does not read holds it back by HTTP/2 flow control), newer
 * statuses replace each other and only the latest is sent when the client
 * reads again. A watcher that never reads costs one message, however often
 * the status changes.
 */
export class HealthWatch {
  private sent = -1;
  private latest = -1;
  private writing = false;
  private ending: { status: number; message: string } | undefined;

  constructor(
    private readonly sink: WatchSink,
    readonly service: string,
    readonly known: boolean,
    readonly deadline: number | undefined,
  ) {}

  /** The serving status now (a servingStatusOf number). */
  report(status: number): void {
    if (this.ending !== undefined) return;
    this.latest = status;
    this.pump();
  }

  /** Ends the watch with `status` once the latest status reported is written. */
  finish(status: number, message: string): void {
    if (this.ending !== undefined) return;
    this.ending = { status, message };
    this.pump();
  }

  private pump(): void {
    if (this.writing) return;
    if (this.latest !== this.sent) {
      this.writing = true;
      this.sent = this.latest;
      this.sink.write(healthResponseFrame(this.sent), this.written);
    } else if (this.ending !== undefined) {
      this.sink.end(this.ending.status, this.ending.message);
    }
  }

  private readonly written = (error?: Error | null): void => {
    this.writing = false;
    if (error === undefined || error === null) this.pump();
  };
}

const okHeaders = { [constants.HTTP2_HEADER_STATUS]: 200, "content-type": "application/grpc" };
// No Date header (a gRPC client has no use for it); a hoisted object, since @types/node does not list sendDate.
const streamingReply = { waitForTrailers: true, sendDate: false };

/** A watch's sink on its HTTP/2 stream; the response headers are sent when it is made. */
function streamSink(stream: ServerHttp2Stream): WatchSink {
  stream.respond(okHeaders, streamingReply);
  return {
    write(frame, done) {
      if (stream.destroyed || stream.closed) return done(new Error("stream closed"));
      stream.write(frame, done);
    },
    end(status, message) {
      if (stream.destroyed || stream.closed) return;
      stream.once("wantTrailers", () => stream.sendTrailers({ "grpc-status": String(status), "grpc-message": encodeGrpcMessage(message) }));
      stream.end();
    },
  };
}

/**
 * The `Watch` calls open on one server, looked at together on one timer (which
 * runs only while a watch is open): each gets the server's or its service's
 * status when it changes, NOT_SERVING once shutdown starts (`close()`, before
 * any drain delay), and ends UNAVAILABLE when the server drains its
 * connections, so a watch never holds a graceful shutdown back. A watch past
 * its `grpc-timeout` ends DEADLINE_EXCEEDED. The client resetting the stream
 * ends the watch.
 */
export class HealthWatches {
  private readonly open = new Set<HealthWatch>();
  private readonly perConnection = new WeakMap<object, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly env: ConnectionEnvironment) {}

  get size(): number {
    return this.open.size;
  }

  start(stream: ServerHttp2Stream, service: string, known: boolean, deadline: number | undefined): void {
    const session = stream.session;
    if (session === undefined || stream.destroyed || stream.closed) return;
    const onConnection = this.perConnection.get(session) ?? 0;
    if (this.open.size >= maxHealthWatchesPerServer || onConnection >= maxHealthWatchesPerConnection) {
      const limit = onConnection >= maxHealthWatchesPerConnection ? `${maxHealthWatchesPerConnection} per connection` : `${maxHealthWatchesPerServer} per server`;
      return endWithStatus(stream, grpcStatusOf.RESOURCE_EXHAUSTED, `too many health watches (at most ${limit})`);
    }
    const watch = new HealthWatch(streamSink(stream), service, known, deadline);
    this.open.add(watch);
    this.perConnection.set(session, onConnection + 1);
    stream.once("close", () => {
      this.open.delete(watch);
      this.perConnection.set(session, (this.perConnection.get(session) ?? 1) - 1);
      if (this.open.size === 0 && this.timer !== undefined) {
        clearInterval(this.timer);
        this.timer = undefined;
      }
    });
    this.look(watch, Date.now());
    this.timer ??= setInterval(this.tick, healthWatchPollMs).unref();
  }

  private readonly tick = (): void => {
    const now = Date.now();
    for (const watch of this.open) this.look(watch, now);
  };

  private look(watch: HealthWatch, now: number): void {
    watch.report(this.statusOf(watch));
    if (this.env.closing) watch.finish(grpcStatusOf.UNAVAILABLE, "the server is shutting down");
    else if (watch.deadline !== undefined && now >= watch.deadline) watch.finish(grpcStatusOf.DEADLINE_EXCEEDED, "the watch passed its deadline");
  }

  private statusOf(watch: HealthWatch): number {
    if (!watch.known) return servingStatusOf.SERVICE_UNKNOWN;
    if (this.env.closing) return servingStatusOf.NOT_SERVING;
    return servingStatusOf[this.env.observability.health.status(watch.service)];
  }
}
