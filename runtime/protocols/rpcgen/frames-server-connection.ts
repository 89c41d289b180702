import type { Socket } from "node:net";
import type { MessageCodec, Outcome } from "../../codec/codec.js";
import { codecById } from "../../codec/codec-registry.js";
import { Code, RpcError } from "../../errors.js";
import { CallAdmission, type WaitsForRoom } from "../../server/call-admission.js";
import type { CallResponder } from "../../server/call-responder.js";
import { abortCalls, connectionClosedError, destroyAfterGrace } from "../../server/connection-close.js";
import { ReplyBacklog } from "../../server/reply-backlog.js";
import type { ServedConnection } from "../../server/served-connection.js";
import { ServerCall } from "../../server/server-call.js";
import type { ConnectionEnvironment } from "../../server/server-protocol.js";
import { listenToSocket, type SocketOwner } from "../../server/socket-owner.js";
import { UnfinishedInput } from "../../server/unfinished-input.js";
import { FrameBatchWriter } from "../../transport/frame-batch-writer.js";
import { outcomeBody } from "../../wire/deferred-body.js";
import { encodeErrorBody } from "../../wire/error-body.js";
import { encodeFrameParts } from "../../wire/frame-encoder.js";
import { FrameDecoder, FrameError, type FrameReceiver } from "../../wire/frame-decoder.js";
import { inflateFrameBody } from "../../wire/inflate-frame-body.js";
import { CodecId, type Frame, FrameFlags, FrameKind } from "../../wire/frame.js";

const emptyBody = new Uint8Array(0);
const noMetadata: Readonly<Record<string, string>> = Object.freeze({});
/**
 * The outcome of every successful call, filled in just before it is encoded and
 * emptied right after: encoding is synchronous and keeps no reference to it, so
 * one object serves every reply instead of one per call.
 */
const successOutcome: Outcome = { fieldId: 0, value: undefined };
/**
 * Time the chunk being decoded arrived: deadlines count from it. One for the
 * module, not a field per connection: a chunk is decoded synchronously inside
 * its connection's socketData, so it is only ever read for the chunk being decoded.
 */
let chunkReceivedAt = 0;

interface HeldFrame {
  frame: Frame;
  receivedAt: number;
}

/**
 * The server side of one connection of rpcgen's binary framing: decodes frames,
 * turns calls over to the dispatch, batches replies, and keeps the connection's
 * memory bounded whatever the client does:
 * - a call starts only while the connection has room (CallAdmission, the rule
 *   every TCP protocol shares; calls being inflated count as running);
 *   otherwise calls wait here in arrival order and the connection stops
 *   reading, so TCP pushes back on the client;
 * - gzipped bodies are inflated off the event loop, a few at a time.
 *
 * A server holds many of these idle, so an idle one is kept small: its call
 * collections are made with its first call, and its parts (decoder, writer,
 * admission, reply backlog) call its methods instead of closures it hands them.
 */
export class FramesServerConnection implements ServedConnection, SocketOwner, CallResponder, FrameReceiver, WaitsForRoom {
  readonly protocol = "rpcgen";
  readonly openedAt = Date.now();
  lastActivityAt = this.openedAt;
  handshakeDone = false;
  private draining = false;
  private broken = false;
  private releasingHeld = false;
  /** Two-way calls by request id; made with the first call. */
  private running: Map<number, ServerCall> | undefined;
  /** Running calls no id leads to: oneway calls, and cancelled calls whose id the client may already reuse; made when first needed. */
  private runningWithoutId: Set<ServerCall> | undefined;
  /** Calls waiting for room, in arrival order; made when a first call must wait. Reading stops while any wait. */
  private held: HeldFrame[] | undefined;
  /** Calls whose gzipped bodies are being inflated; they hold in-flight slots. */
  private inflating = 0;
  private readonly decoder: FrameDecoder;
  private readonly writer: FrameBatchWriter;
  private readonly admission: CallAdmission;
  /** This connection's shares of the server's reply and input budgets. */
  private readonly replies: ReplyBacklog;
  private readonly unfinished: UnfinishedInput;

  constructor(
    private readonly socket: Socket,
    readonly peer: string,
    private readonly env: ConnectionEnvironment,
  ) {
    this.replies = new ReplyBacklog(socket, env.replyBudget, this);
    this.admission = new CallAdmission(env.limits, this.replies, this);
    this.unfinished = new UnfinishedInput(env.inputBudget, env.logger, this, "connection");
    this.decoder = new FrameDecoder(this, env.limits.frameLimits, { deferInflate: true });
    this.writer = new FrameBatchWriter(socket, env.limits.frameLimits, this.replies);
    listenToSocket(socket, this);
  }

  /** Calls running, inflating or waiting for room. */
  get inFlight(): number {
    return this.runningCount + (this.held?.length ?? 0);
  }

  /** Calls running or inflating: those counted against the connection's room. */
  private get runningCount(): number {
    return (this.running?.size ?? 0) + (this.runningWithoutId?.size ?? 0) + this.inflating;
  }

  /** Tells the client to send new calls elsewhere; calls already sent are still served. */
  goaway(): void {
    if (this.draining || this.broken) return;
    this.draining = true;
    this.writer.write(controlFrame(FrameKind.Goaway, 0));
    if (this.inFlight === 0) this.env.drained(this);
  }

  /**
   * After a goaway the client closes the connection itself once its calls are
   * answered; closing our side first could cut a call it sent before the goaway
   * reached it (the server's grace timer cuts a client that never closes).
   */
  end(): void {
    if (!this.draining) this.endSoon();
  }

  /** Flushes what is queued and closes the connection, aborting calls still running. */
  destroy(): void {
    this.writer.flush();
    this.socket.destroy();
  }

  /**
   * Refuses the whole connection with a connection-level error frame (request id 0)
   * and closes it, e.g. when the server is at its connection limit.
   */
  refuse(error: RpcError): void {
    this.broken = true;
    this.writer.write(errorFrame(0, error));
    this.endSoon();
  }

  // ---- CallResponder: the dispatch reports outcomes here ----

  callEnded(call: ServerCall): boolean {
    if (this.running?.get(call.requestId) === call) this.running.delete(call.requestId);
    else this.runningWithoutId?.delete(call);
    if (this.held !== undefined && this.held.length > 0) this.releaseHeld();
    if (this.inFlight === 0) {
      this.lastActivityAt = Date.now();
      if (this.draining) this.env.drained(this);
    }
    const wanted = !call.finished && !call.method.oneway && !this.socket.destroyed;
    call.finished = true;
    return wanted;
  }

  replyValue(call: ServerCall, value: unknown): void {
    successOutcome.value = value;
    try {
      this.sendOutcome(call, successOutcome);
    } finally {
      successOutcome.value = undefined;
    }
  }

  replyException(call: ServerCall, fieldId: number, exception: Error): void {
    this.sendOutcome(call, { fieldId, value: exception });
  }

  replyError(call: ServerCall, error: RpcError): void {
    this.send(errorFrame(call.requestId, error));
  }

  callExpired(call: ServerCall): void {
    // The caller has given up; its reply would be dropped, so none is sent.
    call.finished = true;
  }

  // ---- WaitsForRoom: the admission and reply backlog say when room may have opened ----

  roomMayHaveOpened(): void {
    if (this.held !== undefined && this.held.length > 0) this.releaseHeld();
  }

  // ---- reading ----

  /** SocketOwner: a chunk arrived. */
  socketData(chunk: Buffer): void {
    if (this.broken) return;
    chunkReceivedAt = Date.now();
    this.admission.newTurn();
    try {
      this.decoder.push(chunk);
    } catch (error) {
      this.onBadInput(error);
      return;
    }
    // Held calls are decoded out of the decoder: what it keeps is only the unfinished frame.
    if (this.unfinished.overBudget(this.decoder.bufferedBytes, false)) {
      this.broken = true;
      this.socket.destroy();
    }
  }

  private onBadInput(error: unknown): void {
    this.broken = true;
    const reason = error instanceof FrameError ? error.reason : "handler-error";
    const message = error instanceof Error ? error.message : String(error);
    this.env.logger.warn({ peer: this.peer, reason, err: message }, "closing connection: unreadable input");
    const code = reason === "too-large" ? Code.RESOURCE_EXHAUSTED : Code.INVALID_ARGUMENT;
    this.writer.write(errorFrame(0, new RpcError(code, `connection closed: ${message}`)));
    this.endSoon();
  }

  /** Ends our side after the queued frames and gives the peer a moment before the socket is destroyed. */
  private endSoon(): void {
    this.writer.flush();
    this.socket.end();
    this.socket.resume();
    destroyAfterGrace(this.socket);
  }

  // ---- FrameReceiver: the decoder hands each frame here ----

  receiveFrame(frame: Frame): void {
    this.handshakeDone = true;
    switch (frame.kind) {
      case FrameKind.Call:
      case FrameKind.Oneway:
        this.admit(frame);
        return;
      case FrameKind.Ping:
        this.writer.write(controlFrame(FrameKind.Pong, frame.requestId));
        return;
      case FrameKind.Cancel:
        this.onCancel(frame.requestId);
        return;
      case FrameKind.Pong:
      case FrameKind.Goaway:
        return;
      default:
        throw new FrameError("malformed", `a client may not send frames of kind ${frame.kind}`);
    }
  }

  /**
   * The caller gave up on a call: abort the handler's signal and never answer (the
   * client has settled the call already). The call keeps its in-flight slot until
   * its handler returns.
   */
  private onCancel(id: number): void {
    const call = this.running?.get(id);
    if (call === undefined) {
      // A call still waiting for room is simply never started.
      const index = this.held?.findIndex((entry) => entry.frame.requestId === id && entry.frame.kind === FrameKind.Call) ?? -1;
      if (index >= 0) {
        this.held!.splice(index, 1);
        this.updateReading();
      }
      // Otherwise already answered, being inflated, or never seen: its reply is dropped by the client.
      return;
    }
    this.running!.delete(id);
    (this.runningWithoutId ??= new Set()).add(call);
    call.finished = true;
    call.abort(new RpcError(Code.CANCELLED, `${call.method.fullName} was cancelled by the caller`));
  }

  // ---- admission: a call starts only when the connection has room ----

  private admit(frame: Frame): void {
    const receivedAt = chunkReceivedAt;
    this.lastActivityAt = receivedAt;
    const held = this.held;
    if ((held !== undefined && held.length > 0) || !this.canStart(frame)) {
      (this.held ??= []).push({ frame, receivedAt });
      this.updateReading();
      return;
    }
    this.start(frame, receivedAt);
  }

  private canStart(frame: Frame): boolean {
    if ((frame.flags & FrameFlags.Gzip) !== 0 && this.inflating >= this.env.limits.maxInflatesPerConnection) return false;
    return this.hasRoom();
  }

  private hasRoom(): boolean {
    const running = this.runningCount;
    return this.admission.hasRoom(running, running, this.writer.pendingBytes);
  }

  /** Starts waiting calls while there is room, then resumes reading once none is left. */
  private releaseHeld(): void {
    const held = this.held;
    if (this.releasingHeld || held === undefined) return;
    this.releasingHeld = true;
    try {
      let next = 0;
      while (next < held.length && !this.broken && this.canStart(held[next]!.frame)) {
        const { frame, receivedAt } = held[next++]!;
        this.start(frame, receivedAt);
      }
      held.splice(0, next);
    } catch (error) {
      this.onBadInput(error);
    } finally {
      this.releasingHeld = false;
    }
    this.updateReading();
  }

  private start(frame: Frame, receivedAt: number): void {
    this.admission.started();
    if ((frame.flags & FrameFlags.Gzip) !== 0) {
      this.startInflating(frame, receivedAt);
      return;
    }
    const env = this.env;
    const oneway = frame.kind === FrameKind.Oneway;
    const id = frame.requestId;
    const registered = env.dispatcher.lookup(frame.method);
    if (registered === undefined) {
      this.refuseCall(oneway, id, env.dispatcher.unknownMethod(frame.method, oneway, this.peer, this.protocol, frame.metadata));
      return;
    }
    if (!oneway && this.running?.has(id) === true) {
      throw new FrameError("malformed", `request id ${id} is already in flight on this connection`);
    }
    const codec = codecById(frame.codec);
    if (codec === undefined) {
      this.refuseCall(oneway, id, new RpcError(Code.INVALID_ARGUMENT, `unknown codec id ${frame.codec}`));
      return;
    }
    const call = new ServerCall(
      registered.service,
      registered.method,
      id,
      frame.deadlineMs > 0 ? receivedAt + frame.deadlineMs : undefined,
      frame.metadata ?? noMetadata,
      this.peer,
      this.protocol,
      this,
    );
    call.tag = codec;
    if (oneway) (this.runningWithoutId ??= new Set()).add(call);
    else (this.running ??= new Map()).set(id, call);
    let args: unknown[];
    try {
      args = codec.decodeArgs(registered.method, frame.body);
    } catch (error) {
      env.dispatcher.refuse(call, env.dispatcher.badArguments(registered, error));
      return;
    }
    env.dispatcher.run(registered, call, args);
  }

  /**
   * Inflates a gzipped body off the event loop, holding an in-flight slot, then
   * starts the call. At most maxInflatesPerConnection run at once; more wait (canStart).
   */
  private startInflating(frame: Frame, receivedAt: number): void {
    this.inflating++;
    const limits = this.env.limits.frameLimits;
    this.env.inflates.run(() => inflateFrameBody(frame.body, limits)).then(
      (body) => {
        this.inflating--;
        if (this.broken) return;
        frame.body = body;
        frame.flags &= ~FrameFlags.Gzip;
        try {
          this.start(frame, receivedAt);
        } catch (error) {
          this.onBadInput(error);
          return;
        }
        this.releaseHeld();
      },
      (error: unknown) => {
        this.inflating--;
        if (!this.broken) this.onBadInput(error);
      },
    );
  }

  private refuseCall(oneway: boolean, id: number, error: RpcError): void {
    if (oneway) return;
    this.writer.write(errorFrame(id, error));
  }

  // ---- writing ----

  /**
   * Encodes and queues a reply; throws only when the outcome cannot be encoded.
   * The body is copied straight into the frame, whatever form the codec left it in.
   */
  private sendOutcome(call: ServerCall, outcome: Outcome): void {
    const codec = call.tag as MessageCodec;
    const body = outcomeBody(codec, call.method, outcome);
    let bytes: Buffer;
    try {
      bytes = encodeFrameParts(FrameKind.Reply, call.requestId, "", codec.id, 0, undefined, body, this.env.limits.frameLimits);
    } catch (error) {
      this.replyNotSent(call.requestId, "", error);
      return;
    }
    this.admission.replyQueued(bytes.length);
    this.writer.writeEncoded(bytes);
  }

  private send(frame: Frame): void {
    try {
      this.admission.replyQueued(this.writer.write(frame));
    } catch (error) {
      this.replyNotSent(frame.requestId, frame.method, error);
    }
  }

  private replyNotSent(requestId: number, method: string, error: unknown): void {
    // Too large even after gzip: the caller gets a clear error instead of a reply.
    const rpcError = RpcError.from(error, Code.INTERNAL);
    this.env.logger.warn({ peer: this.peer, method, err: rpcError.message }, "reply not sent");
    this.writer.write(errorFrame(requestId, rpcError));
  }

  /** Reads from the socket unless calls are waiting for room. */
  private updateReading(): void {
    if (this.broken) return;
    if (this.held !== undefined && this.held.length > 0) this.socket.pause();
    else this.socket.resume();
  }

  /** SocketOwner: the socket closed. */
  socketClosed(): void {
    this.broken = true;
    const reason = connectionClosedError(this.peer);
    if (this.running !== undefined) {
      abortCalls(this.running.values(), reason);
      this.running.clear();
    }
    if (this.runningWithoutId !== undefined) {
      abortCalls(this.runningWithoutId, reason);
      this.runningWithoutId.clear();
    }
    if (this.held !== undefined) this.held.length = 0;
    this.replies.release();
    this.unfinished.release();
  }
}

/** A frame of the connection itself (not a reply): no method, codec or metadata of its own. */
function controlFrame(kind: FrameKind, requestId: number, body: Uint8Array = emptyBody): Frame {
  return { kind, requestId, method: "", codec: CodecId.Json, flags: 0, deadlineMs: 0, metadata: undefined, body };
}

function errorFrame(requestId: number, error: RpcError): Frame {
  return controlFrame(FrameKind.Error, requestId, encodeErrorBody(error));
}
