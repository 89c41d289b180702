import type { Socket } from "node:net";
import type { Outcome } from "../codec/codec.js";
import { codecById } from "../codec/codec-registry.js";
import { sharedDeadlineWheel } from "../deadline/shared-deadline-wheel.js";
import type { MethodTable } from "../dispatch-contract.js";
import { Code, RpcError } from "../errors.js";
import type { Logger } from "../logger.js";
import { FrameBatchWriter } from "../transport/frame-batch-writer.js";
import { hasDeferredBodies } from "../wire/deferred-body.js";
import { encodeErrorBody } from "../wire/error-body.js";
import { encodeFrameDeferred } from "../wire/frame-encoder.js";
import { FrameDecoder, FrameError } from "../wire/frame-decoder.js";
import type { FrameLimits } from "../wire/frame-limits.js";
import { CodecId, type Frame, FrameKind } from "../wire/frame.js";
import { declaredExceptionFieldId } from "./declared-exception-field.js";
import { ServerCall, type ServerCallOwner } from "./server-call.js";

/** What every connection of a server shares. */
export interface ServerConnectionSettings {
  table: MethodTable;
  limits: FrameLimits;
  maxInFlightPerConnection: number;
  /** Above this many unsent reply bytes the connection stops reading until the peer catches up. */
  maxPendingBytes: number;
  logger: Logger;
  /** Called when a draining connection has no call left in flight. */
  drained(connection: ServerConnection): void;
}

const emptyBody = new Uint8Array(0);
const noMetadata: Readonly<Record<string, string>> = Object.freeze({});
/**
 * The outcome of every successful call, filled in just before it is encoded and
 * emptied right after: encoding is synchronous and keeps no reference to it, so
 * one object serves every reply instead of one per call.
 */
const successOutcome: Outcome = { fieldId: 0, value: undefined };

/**
 * The server side of one binary-framed connection: decodes frames, runs calls
 * concurrently through the method table, batches replies, enforces the
 * per-connection limits, and drains on goaway.
 */
export class ServerConnection implements ServerCallOwner {
  /** Epoch ms of the last call received or finished; the server's idle sweep reads it. */
  lastActivityAt = Date.now();
  draining = false;
  /** Two-way calls by request id. */
  private readonly running = new Map<number, ServerCall>();
  /** Running calls no id leads to: oneway calls, and cancelled calls whose id the client may already reuse. */
  private readonly runningWithoutId = new Set<ServerCall>();
  private readonly decoder: FrameDecoder;
  private readonly writer: FrameBatchWriter;
  /** Time the chunk being decoded arrived: deadlines count from it. */
  private receivedAt = 0;
  /**
   * Calls received while the connection was at its in-flight limit, in arrival
   * order, with the time their chunk arrived. Reading stops while any are held, so
   * this holds at most the frames of the chunks already read.
   */
  private readonly held: { frame: Frame; receivedAt: number }[] = [];
  private releasingHeld = false;
  private readingPaused = false;
  private broken = false;

  constructor(
    private readonly socket: Socket,
    readonly peer: string,
    private readonly settings: ServerConnectionSettings,
  ) {
    this.decoder = new FrameDecoder((frame) => this.onFrame(frame), settings.limits);
    this.writer = new FrameBatchWriter(socket, settings.limits, () => this.checkBackPressure());
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("close", () => this.onClose());
  }

  /** Calls whose handlers are still running. */
  get inFlight(): number {
    return this.running.size + this.runningWithoutId.size;
  }

  /** Tells the client to send new calls elsewhere; calls already sent are still served. */
  goaway(): void {
    if (this.draining || this.broken) return;
    this.draining = true;
    this.writer.write(controlFrame(FrameKind.Goaway, 0));
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

  callExpired(call: ServerCall): void {
    // The caller has given up; its reply would be dropped, so none is sent.
    call.finished = true;
  }

  private onData(chunk: Buffer): void {
    if (this.broken) return;
    this.receivedAt = Date.now();
    try {
      this.decoder.push(chunk);
    } catch (error) {
      this.onBadInput(error);
    }
  }

  private onBadInput(error: unknown): void {
    this.broken = true;
    const reason = error instanceof FrameError ? error.reason : "handler-error";
    const message = error instanceof Error ? error.message : String(error);
    this.settings.logger.warn({ peer: this.peer, reason, err: message }, "closing connection: unreadable input");
    const code = reason === "too-large" ? Code.RESOURCE_EXHAUSTED : Code.INVALID_ARGUMENT;
    this.writer.write(errorFrame(0, new RpcError(code, `connection closed: ${message}`)));
    this.endSoon();
  }

  /** Ends our side after the queued frames and gives the peer a moment before the socket is destroyed. */
  private endSoon(): void {
    this.writer.flush();
    this.socket.end();
    this.socket.resume();
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  private onFrame(frame: Frame): void {
    switch (frame.kind) {
      case FrameKind.Call:
      case FrameKind.Oneway:
        this.dispatch(frame);
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
    const call = this.running.get(id);
    if (call === undefined) {
      // A call still held at the in-flight limit is simply never started.
      const index = this.held.findIndex((entry) => entry.frame.requestId === id && entry.frame.kind === FrameKind.Call);
      if (index >= 0) {
        this.held.splice(index, 1);
        this.updateReading();
      }
      // Otherwise already answered, or never seen: nothing is left to stop.
      return;
    }
    this.running.delete(id);
    this.runningWithoutId.add(call);
    call.finished = true;
    call.abort(new RpcError(Code.CANCELLED, `${call.method.fullName} was cancelled by the caller`));
  }

  /**
   * At the in-flight limit a call waits instead of failing: it is held, and the
   * connection stops reading until handlers finish (TCP then pushes back on the
   * client). Later calls queue behind held ones so calls start in arrival order.
   */
  private dispatch(frame: Frame): void {
    if (this.held.length > 0 || this.inFlight >= this.settings.maxInFlightPerConnection) {
      this.held.push({ frame, receivedAt: this.receivedAt });
      this.updateReading();
      return;
    }
    this.start(frame, this.receivedAt);
  }

  /** Starts held calls while there is room, then resumes reading once none is left. */
  private releaseHeld(): void {
    if (this.releasingHeld) return;
    this.releasingHeld = true;
    try {
      let next = 0;
      while (next < this.held.length && this.inFlight < this.settings.maxInFlightPerConnection && !this.broken) {
        const { frame, receivedAt } = this.held[next++]!;
        this.start(frame, receivedAt);
      }
      this.held.splice(0, next);
    } catch (error) {
      this.onBadInput(error);
    } finally {
      this.releasingHeld = false;
    }
    this.updateReading();
  }

  private start(frame: Frame, receivedAt: number): void {
    this.lastActivityAt = receivedAt;
    const oneway = frame.kind === FrameKind.Oneway;
    const id = frame.requestId;
    const registered = this.settings.table.lookup(frame.method);
    if (registered === undefined) {
      this.refuseCall(oneway, id, new RpcError(Code.UNIMPLEMENTED, `unknown method ${JSON.stringify(frame.method)}`));
      return;
    }
    if (!oneway && this.running.has(id)) {
      throw new FrameError("malformed", `request id ${id} is already in flight on this connection`);
    }
    let deadline: number | undefined;
    if (frame.deadlineMs > 0) {
      deadline = receivedAt + frame.deadlineMs;
      // Frames queued behind a slow handler in the same chunk may already be late.
      if (Date.now() >= deadline) {
        this.refuseCall(oneway, id, new RpcError(Code.DEADLINE_EXCEEDED, `${frame.method} arrived after its deadline`));
        return;
      }
    }
    const codec = codecById(frame.codec);
    if (codec === undefined) {
      this.refuseCall(oneway, id, new RpcError(Code.INVALID_ARGUMENT, `unknown codec id ${frame.codec}`));
      return;
    }
    let args: unknown[];
    try {
      args = codec.decodeArgs(registered.method, frame.body);
    } catch (error) {
      this.refuseCall(oneway, id, RpcError.from(error, Code.INVALID_ARGUMENT));
      return;
    }
    const call = new ServerCall(
      registered.service,
      registered.method,
      id,
      codec,
      deadline,
      frame.metadata ?? noMetadata,
      this.peer,
      this,
    );
    if (deadline !== undefined) {
      call.deadlineAt = deadline;
      sharedDeadlineWheel.add(call);
    }
    if (oneway) this.runningWithoutId.add(call);
    else this.running.set(id, call);
    registered.invoke(args, call).then(
      (value) => this.onResult(call, value),
      (error: unknown) => this.onFailure(call, error),
    );
  }

  private refuseCall(oneway: boolean, id: number, error: RpcError): void {
    if (oneway) {
      this.settings.logger.debug({ peer: this.peer, code: error.code, err: error.message }, "oneway call dropped");
      return;
    }
    this.writer.write(errorFrame(id, error));
  }

  private onResult(call: ServerCall, value: unknown): void {
    if (!this.settle(call)) return;
    successOutcome.value = value;
    try {
      this.replyWith(call, successOutcome, "handler result could not be encoded");
    } finally {
      successOutcome.value = undefined;
    }
  }

  /**
   * Sends an outcome; one that cannot be encoded (a handler returned the wrong
   * type) is logged here and reaches the caller as INTERNAL, like any handler bug.
   */
  private replyWith(call: ServerCall, outcome: Outcome, whatFailed: string): void {
    try {
      this.sendOutcome(call, outcome);
    } catch (error) {
      this.settings.logger.error({ peer: this.peer, method: call.method.fullName, err: error }, whatFailed);
      this.send(errorFrame(call.requestId, new RpcError(Code.INTERNAL, "internal error")));
    }
  }

  /**
   * Encodes and queues a reply; throws only when the outcome cannot be encoded. A
   * codec with the DeferredBody fast path has its body copied straight into the frame.
   */
  private sendOutcome(call: ServerCall, outcome: Outcome): void {
    const codec = call.codec;
    if (!hasDeferredBodies(codec)) {
      this.send(replyFrame(call, codec.encodeOutcome(call.method, outcome)));
      return;
    }
    const body = codec.encodeOutcomeDeferred(call.method, outcome);
    let bytes: Buffer;
    try {
      bytes = encodeFrameDeferred(FrameKind.Reply, call.requestId, "", codec.id, 0, undefined, body, this.settings.limits);
    } catch (error) {
      this.replyNotSent(call.requestId, "", error);
      return;
    }
    this.writer.writeEncoded(bytes);
  }

  private onFailure(call: ServerCall, error: unknown): void {
    const oneway = call.method.oneway;
    const fieldId = oneway ? undefined : declaredExceptionFieldId(call.method, error);
    if (fieldId === undefined && !(error instanceof RpcError)) {
      // Undeclared failures stay here: the caller learns only that something broke.
      this.settings.logger.error({ peer: this.peer, method: call.method.fullName, err: error }, "handler failed");
    }
    if (!this.settle(call)) return;
    if (fieldId !== undefined) {
      this.replyWith(call, { fieldId, value: error }, "declared exception could not be encoded");
      return;
    }
    const reply = error instanceof RpcError ? error : new RpcError(Code.INTERNAL, "internal error");
    this.send(errorFrame(call.requestId, reply));
  }

  /** Marks a call done; true when a reply should still be sent. */
  private settle(call: ServerCall): boolean {
    if (this.running.get(call.requestId) === call) this.running.delete(call.requestId);
    else this.runningWithoutId.delete(call);
    if (call.wheelBucket !== undefined) sharedDeadlineWheel.remove(call);
    if (this.held.length > 0) this.releaseHeld();
    if (this.inFlight === 0) {
      this.lastActivityAt = Date.now();
      if (this.draining) this.settings.drained(this);
    }
    const wanted = !call.finished && !call.method.oneway && !this.socket.destroyed;
    call.finished = true;
    return wanted;
  }

  private send(frame: Frame): void {
    try {
      this.writer.write(frame);
    } catch (error) {
      this.replyNotSent(frame.requestId, frame.method, error);
    }
  }

  private replyNotSent(requestId: number, method: string, error: unknown): void {
    // Too large even after gzip: the caller gets a clear error instead of a reply.
    const rpcError = RpcError.from(error, Code.INTERNAL);
    this.settings.logger.warn({ peer: this.peer, method, err: rpcError.message }, "reply not sent");
    this.writer.write(errorFrame(requestId, rpcError));
  }

  private checkBackPressure(): void {
    // Over the limit means the last write returned false, so "drain" is sure to follow.
    if (this.readingPaused || this.socket.writableLength <= this.settings.maxPendingBytes) return;
    // The peer is not reading its replies: stop reading its calls until it does.
    this.readingPaused = true;
    this.updateReading();
    this.socket.once("drain", () => {
      this.readingPaused = false;
      this.updateReading();
    });
  }

  /** Reads from the socket unless replies are backed up or calls are held at the in-flight limit. */
  private updateReading(): void {
    if (this.broken) return;
    if (this.readingPaused || this.held.length > 0) this.socket.pause();
    else this.socket.resume();
  }

  private onClose(): void {
    this.broken = true;
    const reason = new RpcError(Code.CANCELLED, `connection from ${this.peer} closed`);
    for (const call of [...this.running.values(), ...this.runningWithoutId]) {
      call.finished = true;
      if (call.wheelBucket !== undefined) sharedDeadlineWheel.remove(call);
      call.abort(reason);
    }
    this.running.clear();
    this.runningWithoutId.clear();
    this.held.length = 0;
  }
}

function controlFrame(kind: FrameKind, requestId: number): Frame {
  return {
    kind,
    requestId,
    method: "",
    codec: CodecId.Json,
    flags: 0,
    deadlineMs: 0,
    metadata: undefined,
    body: emptyBody,
  };
}

function errorFrame(requestId: number, error: RpcError): Frame {
  return {
    kind: FrameKind.Error,
    requestId,
    method: "",
    codec: CodecId.Json,
    flags: 0,
    deadlineMs: 0,
    metadata: undefined,
    body: encodeErrorBody(error),
  };
}

function replyFrame(call: ServerCall, body: Uint8Array): Frame {
  return {
    kind: FrameKind.Reply,
    requestId: call.requestId,
    method: "",
    codec: call.codec.id,
    flags: 0,
    deadlineMs: 0,
    metadata: undefined,
    body,
  };
}
