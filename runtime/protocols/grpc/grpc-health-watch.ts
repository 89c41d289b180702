import { constants, type ServerHttp2Stream } from "node:http2";
import { sharedDeadlineWheel, type ExpiringEntry } from "../../deadline/shared-deadline-wheel.js";
import type { HealthState } from "../../observability/health/health-state.js";
import { endWithStatus } from "./grpc-responder.js";
import { encodeGrpcMessage, grpcStatusOf } from "./grpc-status.js";
import { healthResponseFrame, servingStatusOf } from "./health-messages.js";

/** Watches open at once on one server; a further one ends RESOURCE_EXHAUSTED. */
export const maxHealthWatchesPerServer = 1000;
/** Watches open at once on one HTTP/2 connection (a health-checking client needs one per service it watches). */
export const maxHealthWatchesPerConnection = 16;

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
 * the status changes. Its `grpc-timeout`, if any, is an entry of the shared
 * deadline wheel (no timer of its own).
 */
export class HealthWatch implements ExpiringEntry {
  private sent = -1;
  private latest = -1;
  private writing = false;
  private ending: { status: number; message: string } | undefined;
  deadlineAt: number;
  wheelBucket: ExpiringEntry[] | undefined = undefined;
  wheelSlot = 0;

  constructor(
    private readonly sink: WatchSink,
    readonly service: string,
    readonly known: boolean,
    readonly deadline: number | undefined,
  ) {
    this.deadlineAt = deadline ?? Infinity;
  }

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

  /** The deadline wheel's call when `grpc-timeout` has passed. */
  expire(): void {
    this.finish(grpcStatusOf.DEADLINE_EXCEEDED, "the watch passed its deadline");
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
 * The `Watch` calls open on one server. They share one listener on the
 * server's HealthState, subscribed while any watch is open: a change of
 * readiness reaches every watch as it happens (no polling), as the server's
 * or its service's status, NOT_SERVING once shutdown starts (`close()`,
 * before any drain delay); when the server drains its connections every watch
 * ends UNAVAILABLE, so a watch never holds a graceful shutdown back. A watch
 * past its `grpc-timeout` ends DEADLINE_EXCEEDED. The client resetting the
 * stream ends the watch.
 */
export class HealthWatches {
  private readonly open = new Set<HealthWatch>();
  private readonly perConnection = new WeakMap<object, number>();
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly health: HealthState) {}

  get size(): number {
    return this.open.size;
  }

  /** Serves a `Watch` call on its stream: refused past the bounds, forgotten when the stream closes. */
  start(stream: ServerHttp2Stream, service: string, known: boolean, deadline: number | undefined): void {
    const session = stream.session;
    if (session === undefined || stream.destroyed || stream.closed) return;
    const refusal = this.refusal(session);
    if (refusal !== undefined) return endWithStatus(stream, grpcStatusOf.RESOURCE_EXHAUSTED, refusal);
    stream.once("close", this.watch(streamSink(stream), session, service, known, deadline));
  }

  /** Why one more watch on `connection` is refused, or undefined if it is not. */
  refusal(connection: object): string | undefined {
    if ((this.perConnection.get(connection) ?? 0) >= maxHealthWatchesPerConnection) {
      return `too many health watches (at most ${maxHealthWatchesPerConnection} per connection)`;
    }
    if (this.open.size >= maxHealthWatchesPerServer) return `too many health watches (at most ${maxHealthWatchesPerServer} per server)`;
    return undefined;
  }

  /**
   * Opens a watch that writes to `sink` (the caller checked `refusal` first):
   * the current status goes out at once. Returns the function that forgets
   * it, for when its call is over.
   */
  watch(sink: WatchSink, connection: object, service: string, known: boolean, deadline: number | undefined): () => void {
    const watch = new HealthWatch(sink, service, known, deadline);
    this.open.add(watch);
    this.perConnection.set(connection, (this.perConnection.get(connection) ?? 0) + 1);
    this.unsubscribe ??= this.health.onChange(this.changed);
    if (deadline !== undefined) sharedDeadlineWheel.add(watch);
    this.look(watch);
    let forgotten = false;
    return () => {
      if (forgotten) return;
      forgotten = true;
      this.open.delete(watch);
      this.perConnection.set(connection, (this.perConnection.get(connection) ?? 1) - 1);
      sharedDeadlineWheel.remove(watch);
      if (this.open.size === 0) {
        this.unsubscribe?.();
        this.unsubscribe = undefined;
      }
    };
  }

  private readonly changed = (): void => {
    for (const watch of this.open) this.look(watch);
  };

  private look(watch: HealthWatch): void {
    watch.report(this.statusOf(watch));
    if (this.health.closing) watch.finish(grpcStatusOf.UNAVAILABLE, "the server is shutting down");
  }

  private statusOf(watch: HealthWatch): number {
    if (!watch.known) return servingStatusOf.SERVICE_UNKNOWN;
    return servingStatusOf[this.health.status(watch.service)];
  }
}
