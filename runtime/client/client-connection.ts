import type { MessageCodec } from "../codec/codec.js";
import type { MethodDescriptor } from "../descriptor.js";
import { Code, RpcError } from "../errors.js";
import type { Logger } from "../logger.js";
import { openClientSocket, readyEvent, type ResolvedClientTls } from "../security/client-tls.js";
import { decodeErrorBody } from "../wire/error-body.js";
import { FrameBatchWriter } from "../transport/frame-batch-writer.js";
import { argsBody, type FrameBody } from "../wire/deferred-body.js";
import { FrameDecoder } from "../wire/frame-decoder.js";
import type { FrameLimits } from "../wire/frame-limits.js";
import { CodecId, type Frame, FrameKind } from "../wire/frame.js";
import type { CallObserver } from "./call-observer.js";
import { HeartbeatMonitor } from "./heartbeat-monitor.js";
import { PendingCall, type PendingCallOwner } from "./pending-call.js";
import { PipelinedConnection, type ConnectionEvents, type PipelinedConnectionSettings } from "./pipelined-connection.js";

/** Settings a connection takes from its channel. */
export interface ClientConnectionSettings extends PipelinedConnectionSettings {
  host: string;
  port: number;
  limits: FrameLimits;
  heartbeatIntervalMs: number;
  logger: Logger;
  /** TLS to the provider (ALPN "rpcgen"); undefined for plain TCP. */
  tls?: ResolvedClientTls;
}

/** What a connection tells its channel. */
export type ClientConnectionEvents = ConnectionEvents<ClientConnection>;

const emptyBody = new Uint8Array(0);
/**
 * Calls issued in one turn are sent in writes of about this size rather than in
 * one at the end of the turn: the server starts on the first calls while later
 * ones are still being encoded, instead of client and server taking turns
 * over whole batches. (Small echo with 64 calls in flight went from about
 * 150k to about 270k calls/s on two cores.)
 */
const earlyFlushBytes = 2048;
const maxRequestId = 0xffffffff;

/**
 * One multiplexed TCP connection of a channel: request ids map replies back to
 * their calls, frames are written in per-turn batches, heartbeats detect a dead
 * peer, and a goaway from the server turns it into a draining connection that
 * finishes its calls but takes no new ones. The socket's life and the table of
 * waiting calls are PipelinedConnection's, shared with the Thrift client.
 */
export class ClientConnection
  extends PipelinedConnection<PendingCall, ClientConnectionSettings>
  implements PendingCallOwner
{
  private readonly writer: FrameBatchWriter;
  private readonly decoder: FrameDecoder;
  private heartbeat: HeartbeatMonitor | undefined;
  /** True while a chunk from the socket is decoded; its replies share one clock reading (see arrivedAt). */
  private decodingChunk = false;
  private chunkArrivedAt = 0;

  constructor(settings: ClientConnectionSettings, events: ClientConnectionEvents) {
    super(
      openClientSocket(settings.host, settings.port, settings.tls, "rpcgen"),
      readyEvent(settings.tls),
      settings,
      events,
      maxRequestId,
    );
    this.decoder = new FrameDecoder((frame) => this.onFrame(frame), settings.limits);
    this.writer = new FrameBatchWriter(this.socket, settings.limits, this, earlyFlushBytes);
  }

  /**
   * Sends a call. `deadlineAt` is epoch ms or 0 for none; `now` is the caller's
   * Date.now(). The promise resolves with the decoded outcome and rejects with
   * the declared exception instance or an RpcError; `observer`, if any, is told
   * first (see CallObserver). Throws RpcError, having queued nothing, when the
   * call cannot be sent: INVALID_ARGUMENT for arguments the codec refuses,
   * RESOURCE_EXHAUSTED for a frame over the limit or a peer that is not
   * reading, INTERNAL otherwise.
   */
  call(
    method: MethodDescriptor,
    args: readonly unknown[],
    codec: MessageCodec,
    deadlineAt: number,
    signal: AbortSignal | undefined,
    metadata: Record<string, string> | undefined,
    now: number,
    observer: CallObserver | undefined,
  ): Promise<unknown> {
    let body: FrameBody;
    try {
      body = argsBody(codec, method, args);
    } catch (error) {
      throw RpcError.from(error, Code.INVALID_ARGUMENT);
    }
    const oneway = method.oneway;
    const id = oneway ? 0 : this.allocateId();
    const remainingMs = deadlineAt === 0 ? 0 : Math.max(1, Math.ceil(deadlineAt - now));
    const backlog = this.writer.pendingBytes;
    // The frame is encoded straight into the writer's batch, whatever form the codec left the body in.
    let size: number;
    try {
      size = this.writer.writeFrame(oneway ? FrameKind.Oneway : FrameKind.Call, id, method.fullName, codec.id, remainingMs, metadata, body);
    } catch (error) {
      throw RpcError.from(error, Code.INTERNAL);
    }
    if (backlog + size > this.settings.maxPendingBytes) {
      this.writer.unwriteLast(size);
      throw this.backlogError(backlog);
    }
    const pendingCall = new PendingCall(id, method, codec, signal, this, observer);
    const promise = pendingCall.promise();
    if (oneway) {
      // No reply will come: the call is done once its batch is handed to the socket.
      this.writer.afterBatchWritten((error) => {
        if (error) pendingCall.fail(RpcError.from(error, Code.UNAVAILABLE));
        else pendingCall.succeed(undefined);
      });
    } else {
      this.track(pendingCall, deadlineAt);
    }
    this.writer.flushIfFull();
    return promise;
  }

  /** Sends a ping and resolves with the round-trip time in milliseconds. */
  ping(codec: MessageCodec, deadlineAt: number, signal: AbortSignal | undefined): Promise<number> {
    const id = this.allocateId();
    const promise = this.trackPing(new PendingCall(id, undefined, codec, signal, this, undefined), deadlineAt);
    this.writer.write(controlFrame(FrameKind.Ping, id, codec.id));
    return promise;
  }

  /**
   * Tells the server to stop the handler of a call given up here, in the next
   * batch. A reply already on its way is dropped on arrival, as its id is no
   * longer pending.
   */
  protected override callGivenUp(call: PendingCall): void {
    // A ping has no handler to stop; a closed socket has no server left to tell.
    if (call.method === undefined || this.closed || this.socket.destroyed) return;
    this.writer.write(controlFrame(FrameKind.Cancel, call.id, CodecId.Json));
  }

  protected override flushWrites(): void {
    this.writer.flush();
  }

  protected override onOpen(): void {
    if (this.settings.heartbeatIntervalMs > 0) {
      this.heartbeat = new HeartbeatMonitor(
        this.settings.heartbeatIntervalMs,
        () => this.writer.write(controlFrame(FrameKind.Ping, 0, CodecId.Json)),
        () =>
          this.fail(
            new RpcError(
              Code.UNAVAILABLE,
              `${this.settings.address} did not answer heartbeats for ${this.settings.heartbeatIntervalMs} ms`,
            ),
          ),
      );
    }
  }

  protected override onSocketClosed(): void {
    this.heartbeat?.stop();
  }

  /** ArrivalClock: one reading for every reply of the chunk being decoded, taken on first use. */
  arrivedAt(): number {
    if (!this.decodingChunk) return Date.now();
    if (this.chunkArrivedAt === 0) this.chunkArrivedAt = Date.now();
    return this.chunkArrivedAt;
  }

  protected override onData(chunk: Buffer): void {
    this.heartbeat?.received();
    this.decodingChunk = true;
    this.chunkArrivedAt = 0;
    try {
      this.decoder.push(chunk);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.fail(
        new RpcError(Code.INTERNAL, `${this.settings.address} sent bytes that are not rpcgen frames: ${reason}`, {
          cause: error,
        }),
      );
    } finally {
      this.decodingChunk = false;
    }
  }

  private onFrame(frame: Frame): void {
    switch (frame.kind) {
      case FrameKind.Reply:
        this.onReply(frame);
        return;
      case FrameKind.Error:
        this.onError(frame);
        return;
      case FrameKind.Pong:
        this.onPong(frame);
        return;
      case FrameKind.Ping:
        this.writer.write(controlFrame(FrameKind.Pong, frame.requestId, frame.codec));
        return;
      case FrameKind.Goaway:
        this.onGoaway();
        return;
      default:
        this.fail(
          new RpcError(Code.INTERNAL, `${this.settings.address} sent an unexpected frame of kind ${frame.kind}`),
        );
    }
  }

  private onReply(frame: Frame): void {
    const call = this.pending.get(frame.requestId);
    // A reply for an unknown id is late (deadline passed or cancelled): drop it.
    if (call === undefined || call.method === undefined) return;
    this.forget(call);
    let outcome;
    try {
      outcome = call.codec.decodeOutcome(call.method, frame.body);
    } catch (error) {
      call.fail(RpcError.from(error, Code.INTERNAL));
      return;
    }
    if (outcome.fieldId === 0) call.succeed(outcome.value);
    else call.fail(outcome.value);
  }

  private onError(frame: Frame): void {
    if (frame.requestId === 0) {
      // Connection-level error: the server refuses this connection as a whole.
      this.fail(decodeErrorBody(frame.body));
      return;
    }
    const call = this.pending.get(frame.requestId);
    if (call === undefined) return;
    this.forget(call);
    call.fail(decodeErrorBody(frame.body));
  }

  private onPong(frame: Frame): void {
    if (frame.requestId === 0) return;
    const call = this.pending.get(frame.requestId);
    if (call === undefined || call.method !== undefined) return;
    this.forget(call);
    call.succeed(performance.now() - call.startedAt);
  }

  private onGoaway(): void {
    if (!this.acceptsCalls) return;
    this.acceptsCalls = false;
    this.events.goaway(this);
    if (this.pending.size === 0) this.endSocket();
  }
}

function controlFrame(kind: FrameKind, requestId: number, codec: number): Frame {
  return {
    kind,
    requestId,
    method: "",
    codec: codec as Frame["codec"],
    flags: 0,
    deadlineMs: 0,
    metadata: undefined,
    body: emptyBody,
  };
}
