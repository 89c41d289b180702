import type { Socket } from "node:net";
import type { MessageCodec, Outcome } from "../../codec/codec.js";
import { codecById } from "../../codec/codec-registry.js";
import { sharedDeadlineWheel } from "../../deadline/shared-deadline-wheel.js";
import { Code, RpcError } from "../../errors.js";
import type { CallResponder } from "../../server/call-responder.js";
import type { ServedConnection } from "../../server/served-connection.js";
import { ServerCall } from "../../server/server-call.js";
import type { ConnectionEnvironment } from "../../server/server-protocol.js";
import { FrameBatchWriter } from "../../transport/frame-batch-writer.js";
import { outcomeBody } from "../../wire/deferred-body.js";
import { encodeErrorBody } from "../../wire/error-body.js";
import { encodeFrameParts } from "../../wire/frame-encoder.js";
import { FrameDecoder, FrameError } from "../../wire/frame-decoder.js";
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
/** An unfinished frame at least this large is dropped first when the server's input budget is spent. */
const largeInputBytes = 64 * 1024;
/** Above this many unsent bytes the socket will say "drain" once the kernel takes them. */
const socketHighWaterBytes = 16 * 1024;

interface HeldFrame {
  frame: Frame;
  receivedAt: number;
}

/**
 * The server side of one connection of rpcgen's binary framing: decodes frames,
 * turns calls over to the dispatch, batches replies, and keeps the connection's
 * memory bounded whatever the client does:
 * - a call starts only while the connection has room: fewer than
 *   maxInFlightPerConnection running, unsent replies plus the expected replies
 *   of running calls under maxPendingBytes, and (when the whole server is over its
 *   reply budget) no unsent reply of its own; otherwise calls wait in arrival
 *   order and the connection stops reading, so TCP pushes back on the client;
 * - at most maxStartsPerTurn calls start from one chunk before the replies of
 *   the first ones are counted;
 * - gzipped bodies are inflated off the event loop, a few at a time.
 */
export class FramesServerConnection implements ServedConnection, CallResponder {
  readonly protocol = "rpcgen";
  readonly openedAt = Date.now();
  lastActivityAt = this.openedAt;
  handshakeDone = false;
  private draining = false;
  /** Two-way calls by request id. */
  private readonly running = new Map<number, ServerCall>();
  /** Running calls no id leads to: oneway calls, and cancelled calls whose id the client may already reuse. */
  private readonly runningWithoutId = new Set<ServerCall>();
  private readonly decoder: FrameDecoder;
  private readonly writer: FrameBatchWriter;
  /** Time the chunk being decoded arrived: deadlines count from it. */
  private receivedAt = 0;
  /** Calls waiting for room, in arrival order. Reading stops while any wait. */
  private readonly held: HeldFrame[] = [];
  private releasingHeld = false;
  private releaseScheduled = false;
  private startsThisTurn = 0;
  /** Calls whose gzipped bodies are being inflated; they hold in-flight slots. */
  private inflating = 0;
  /** Running average of reply frame sizes: what a running call is expected to add to the unsent bytes. */
  private replyEstimate = 0;
  /** This connection's share of the server's reply and input budgets, as last reported. */
  private reportedReplyBytes = 0;
  private reportedInputBytes = 0;
  private waitingForDrain = false;
  private broken = false;
  private readonly releaseHeldBound = (): void => {
    this.releaseScheduled = false;
    this.startsThisTurn = 0;
    this.releaseHeld();
  };

  constructor(
    private readonly socket: Socket,
    readonly peer: string,
    private readonly env: ConnectionEnvironment,
  ) {
    this.decoder = new FrameDecoder((frame) => this.onFrame(frame), env.limits.frameLimits, { deferInflate: true });
    this.writer = new FrameBatchWriter(socket, env.limits.frameLimits, () => this.onFlushed());
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("close", () => this.onClose());
  }

  /** Calls running, inflating or waiting for room. */
  get inFlight(): number {
    return this.running.size + this.runningWithoutId.size + this.inflating + this.held.length;
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
    if (this.running.get(call.requestId) === call) this.running.delete(call.requestId);
    else this.runningWithoutId.delete(call);
    if (this.held.length > 0) this.releaseHeld();
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

  // ---- reading ----

  private onData(chunk: Buffer): void {
    if (this.broken) return;
    this.receivedAt = Date.now();
    this.startsThisTurn = 0;
    try {
      this.decoder.push(chunk);
    } catch (error) {
      this.onBadInput(error);
      return;
    }
    this.accountInput();
  }

  /** Reports the unfinished frame this connection holds; drops the connection if the server cannot afford it. */
  private accountInput(): void {
    const held = this.decoder.bufferedBytes;
    if (held === this.reportedInputBytes) return;
    const budget = this.env.inputBudget;
    this.reportedInputBytes = budget.update(this.reportedInputBytes, held);
    if (budget.exceeded && held >= largeInputBytes) {
      this.env.logger.warn(
        { peer: this.peer, heldBytes: held, serverLimit: budget.limit },
        "closing connection: the server's budget for unfinished requests is spent",
      );
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
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  private onFrame(frame: Frame): void {
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
    const call = this.running.get(id);
    if (call === undefined) {
      // A call still waiting for room is simply never started.
      const index = this.held.findIndex((entry) => entry.frame.requestId === id && entry.frame.kind === FrameKind.Call);
      if (index >= 0) {
        this.held.splice(index, 1);
        this.updateReading();
      }
      // Otherwise already answered, being inflated, or never seen: its reply is dropped by the client.
      return;
    }
    this.running.delete(id);
    this.runningWithoutId.add(call);
    call.finished = true;
    call.abort(new RpcError(Code.CANCELLED, `${call.method.fullName} was cancelled by the caller`));
  }

  // ---- admission: a call starts only when the connection has room ----

  private admit(frame: Frame): void {
    this.lastActivityAt = this.receivedAt;
    if (this.held.length > 0 || !this.canStart(frame)) {
      this.held.push({ frame, receivedAt: this.receivedAt });
      this.updateReading();
      return;
    }
    this.start(frame, this.receivedAt);
  }

  private canStart(frame: Frame): boolean {
    if ((frame.flags & FrameFlags.Gzip) !== 0 && this.inflating >= this.env.limits.maxInflatesPerConnection) return false;
    return this.hasRoom();
  }

  private hasRoom(): boolean {
    const limits = this.env.limits;
    const running = this.running.size + this.runningWithoutId.size + this.inflating;
    if (running >= limits.maxInFlightPerConnection) return false;
    if (this.startsThisTurn >= limits.maxStartsPerTurn) {
      this.scheduleRelease();
      return false;
    }
    if (this.writer.pendingBytes + running * this.replyEstimate >= limits.maxPendingBytes) return false;
    // The server is short of memory for replies: a connection whose own replies are stuck waits for them.
    return this.reportedReplyBytes === 0 || !this.env.replyBudget.exceeded;
  }

  /** Starts waiting calls while there is room, then resumes reading once none is left. */
  private releaseHeld(): void {
    if (this.releasingHeld) return;
    this.releasingHeld = true;
    try {
      let next = 0;
      while (next < this.held.length && !this.broken && this.canStart(this.held[next]!.frame)) {
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

  private scheduleRelease(): void {
    if (this.releaseScheduled) return;
    this.releaseScheduled = true;
    setImmediate(this.releaseHeldBound);
  }

  private start(frame: Frame, receivedAt: number): void {
    this.startsThisTurn++;
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
    if (!oneway && this.running.has(id)) {
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
    if (oneway) this.runningWithoutId.add(call);
    else this.running.set(id, call);
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
    this.noteReplySize(bytes.length);
    this.writer.writeEncoded(bytes);
  }

  private send(frame: Frame): void {
    try {
      this.noteReplySize(this.writer.write(frame));
    } catch (error) {
      this.replyNotSent(frame.requestId, frame.method, error);
    }
  }

  private noteReplySize(bytes: number): void {
    this.replyEstimate += (bytes - this.replyEstimate) / 8;
  }

  private replyNotSent(requestId: number, method: string, error: unknown): void {
    // Too large even after gzip: the caller gets a clear error instead of a reply.
    const rpcError = RpcError.from(error, Code.INTERNAL);
    this.env.logger.warn({ peer: this.peer, method, err: rpcError.message }, "reply not sent");
    this.writer.write(errorFrame(requestId, rpcError));
  }

  /** After each batch reaches the socket: account for what the kernel did not take, wait for it to drain. */
  private onFlushed(): void {
    const unsent = this.socket.writableLength;
    if (unsent <= socketHighWaterBytes) {
      if (this.reportedReplyBytes !== 0) this.reportedReplyBytes = this.env.replyBudget.update(this.reportedReplyBytes, 0);
      if (this.held.length > 0) this.releaseHeld();
      return;
    }
    this.reportedReplyBytes = this.env.replyBudget.update(this.reportedReplyBytes, unsent);
    if (this.waitingForDrain) return;
    // The last write returned false, so "drain" is sure to follow.
    this.waitingForDrain = true;
    this.socket.once("drain", () => {
      this.waitingForDrain = false;
      this.reportedReplyBytes = this.env.replyBudget.update(this.reportedReplyBytes, this.socket.writableLength);
      this.releaseHeld();
    });
  }

  /** Reads from the socket unless calls are waiting for room. */
  private updateReading(): void {
    if (this.broken) return;
    if (this.held.length > 0) this.socket.pause();
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
    this.reportedReplyBytes = this.env.replyBudget.update(this.reportedReplyBytes, 0);
    this.reportedInputBytes = this.env.inputBudget.update(this.reportedInputBytes, 0);
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
