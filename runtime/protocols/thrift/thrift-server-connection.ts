import type { Socket } from "node:net";
import { codecFailure } from "../../codec/value-error.js";
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
import { applicationExceptionOf, ApplicationExceptionType } from "./application-exception.js";
import { HeaderProtocolId, parseHeaderFrame, type HeaderFrame } from "./theader-frame.js";
import { canUndoTransforms, undoTransforms } from "./theader-inflate.js";
import { BinaryInput } from "./binary-input.js";
import { BinaryOutput } from "./binary-output.js";
import { CompactInput } from "./compact-input.js";
import { CompactOutput } from "./compact-output.js";
import type { ThriftInput } from "./thrift-input.js";
import { ThriftMessageReader } from "./thrift-message-reader.js";
import { readArgs, writeApplicationException, writeReply } from "./thrift-messages.js";
import { methodPartOf, thriftMethodNamesOf, type ThriftMethodNames } from "./thrift-method-names.js";
import { ThriftProtocolError } from "./thrift-protocol-error.js";
import { classifyThriftHead } from "./thrift-variant.js";
import { ThriftWriteBatch } from "./thrift-write-batch.js";
import { MessageType } from "./thrift-wire-types.js";

const noMetadata: Readonly<Record<string, string>> = Object.freeze({});
/** ServerCall.tag of a call sent as ONEWAY to a method that is not: it runs, nothing is answered. */
const noReply = "no-reply";
/** First bytes held while the variant is not told yet: the detector decides within 64. */
const maxHeadBytes = 64;

/**
 * The server side of one Apache Thrift connection (binary or compact protocol;
 * framed, unframed or THeader transport; as its first bytes say). Messages are
 * cut from the stream one at a time and only while the connection has room
 * (CallAdmission, the rule every TCP protocol shares) and no THeader payload
 * is being inflated. Otherwise it stops reading, so TCP pushes back on the
 * client. Calls go through the server's one dispatch; replies are written as
 * calls finish (matched by seqid, as Apache's Node.js server does), batched
 * into one socket write per turn.
 *
 * Thrift has no goaway: draining stops reading, finishes the calls in flight and
 * closes.
 *
 * THeader: each frame's info headers become its call's metadata (trace context,
 * tokens), and replies go back in THeader with the request's sequence id and
 * the connection's protocol, untransformed. A zlib payload is inflated off the
 * event loop while the connection reads nothing more, so calls still start in
 * the order they came; any other transform is answered with
 * TApplicationException INVALID_TRANSFORM and the connection closed, since a
 * payload that cannot be read may be a oneway call, which must not be answered.
 *
 * A server holds many of these idle, so the running-call set is made with the
 * first call, and the admission and reply backlog call this connection's
 * methods instead of closures it hands them.
 */
export class ThriftServerConnection implements ServedConnection, SocketOwner, CallResponder, WaitsForRoom {
  readonly protocol = "thrift";
  readonly openedAt = Date.now();
  lastActivityAt = this.openedAt;
  handshakeDone = false;
  private readonly names: ThriftMethodNames;
  /** Set once the first bytes tell the variant. */
  private reader: ThriftMessageReader | undefined;
  private input: ThriftInput | undefined;
  private batch: ThriftWriteBatch | undefined;
  private head: Buffer | undefined;
  /** Calls whose handler is still running; made with the first call. */
  private running: Set<ServerCall> | undefined;
  /** No message is read any more: a protocol error, goaway, a refusal, or a closed socket. */
  private stopped = false;
  private draining = false;
  /** Close once the calls in flight are answered (after a protocol error: their replies still go out). */
  private closeWhenIdle = false;
  private paused = false;
  private pumping = false;
  /** A THeader payload is being inflated: nothing more is read until its call has started. */
  private inflating = false;
  private readonly admission: CallAdmission;
  /** This connection's shares of the server's reply and input budgets. */
  private readonly replies: ReplyBacklog;
  private readonly unfinished: UnfinishedInput;
  /** Set when the server cannot take the connection: its first call is answered with this, then it closes. */
  private refusal: RpcError | undefined;

  constructor(
    private readonly socket: Socket,
    readonly peer: string,
    private readonly env: ConnectionEnvironment,
  ) {
    this.names = thriftMethodNamesOf(env.dispatcher.table);
    this.replies = new ReplyBacklog(socket, env.replyBudget, this);
    this.admission = new CallAdmission(env.limits, this.replies, this);
    this.unfinished = new UnfinishedInput(env.inputBudget, env.logger, this, "Thrift connection");
    listenToSocket(socket, this);
  }

  get inFlight(): number {
    return this.running?.size ?? 0;
  }

  /** Thrift clients know no goaway: stop reading calls, finish those in flight, then close. */
  goaway(): void {
    if (this.draining) return;
    this.draining = true;
    this.stopped = true;
    this.socket.pause();
    if (this.inFlight === 0) this.finishDrain();
  }

  end(): void {
    this.stopped = true;
    this.batch?.flush();
    this.socket.end();
    destroyAfterGrace(this.socket);
  }

  destroy(): void {
    this.batch?.flush();
    this.socket.destroy();
  }

  /**
   * The server cannot take this connection (at its connection limit, or shutting
   * down): its first call is answered with a TApplicationException saying so, then
   * it is closed.
   */
  refuse(error: RpcError): void {
    this.refusal = error;
    destroyAfterGrace(this.socket);
  }

  // ---- CallResponder ----

  callEnded(call: ServerCall): boolean {
    this.running?.delete(call);
    const wanted = !call.finished && call.tag !== noReply && !call.method.oneway && !this.socket.destroyed;
    call.finished = true;
    if (this.inFlight === 0) {
      this.lastActivityAt = Date.now();
      // After this call's reply is queued (the dispatch writes it right after we return).
      if (this.draining || this.closeWhenIdle) queueMicrotask(() => this.finishDrain());
    }
    if (this.paused) this.pump();
    return wanted;
  }

  replyValue(call: ServerCall, value: unknown): void {
    this.sendReply(call, 0, value);
  }

  replyException(call: ServerCall, fieldId: number, exception: Error): void {
    this.sendReply(call, fieldId, exception);
  }

  replyError(call: ServerCall, error: RpcError): void {
    this.sendException(call.method.name, call.requestId, error);
  }

  callExpired(call: ServerCall): void {
    // Thrift carries no deadline, so a call never expires; kept for the contract.
    call.finished = true;
  }

  // ---- WaitsForRoom ----

  /** Replies left, or a new turn: read the messages held back. */
  roomMayHaveOpened(): void {
    if (this.paused) this.pump();
  }

  // ---- reading ----

  /** SocketOwner: a chunk arrived. */
  socketData(chunk: Buffer): void {
    if (this.stopped) return;
    if (this.reader === undefined) {
      if (!this.open(chunk)) return;
    } else {
      this.reader.push(chunk);
    }
    this.admission.newTurn();
    this.pump();
    this.accountInput();
  }

  /** Sets the connection up for the variant its first bytes tell; false while they do not tell yet. */
  private open(chunk: Buffer): boolean {
    const head = this.head === undefined ? chunk : Buffer.concat([this.head, chunk]);
    const variant = classifyThriftHead(head);
    if (variant === "need-more" && head.length < maxHeadBytes) {
      this.head = head;
      return false;
    }
    this.head = undefined;
    if (variant === undefined || variant === "need-more") {
      this.protocolError(new ThriftProtocolError("malformed", "the first bytes are not a Thrift call"));
      return false;
    }
    const maxFrameBytes = this.env.limits.frameLimits.maxFrameBytes;
    this.reader = new ThriftMessageReader(variant.framed, variant.compact, maxFrameBytes);
    this.input = variant.compact ? new CompactInput() : new BinaryInput();
    const out = variant.compact ? new CompactOutput() : new BinaryOutput(variant.strict);
    // The write batch takes its after-flush call as a function: the one closure this connection makes.
    const replies = this.replies;
    this.batch = new ThriftWriteBatch(this.socket, out, variant.framed, replies);
    if (variant.header) this.batch.header = { flags: 0, protocolId: variant.compact ? HeaderProtocolId.COMPACT : HeaderProtocolId.BINARY };
    this.reader.push(head);
    return true;
  }

  /** Reports the unfinished input this connection holds; drops the connection if the server cannot afford it. */
  private accountInput(): void {
    if (this.unfinished.overBudget(this.reader?.bufferedBytes ?? 0, this.paused)) {
      this.stopped = true;
      this.socket.destroy();
    }
  }

  /** Reads and starts calls until the input runs out or the connection has no room. */
  private pump(): void {
    // Calls that end while pumping would call back in here; the running loop covers them.
    if (this.pumping || this.reader === undefined) return;
    this.pumping = true;
    try {
      this.pumpMessages(this.reader);
    } finally {
      this.pumping = false;
    }
  }

  private pumpMessages(reader: ThriftMessageReader): void {
    while (!this.stopped) {
      if (!this.hasRoom()) {
        if (!this.paused) {
          this.paused = true;
          this.socket.pause();
        }
        return;
      }
      try {
        if (!reader.next()) break;
        this.handshakeDone = true;
        this.lastActivityAt = Date.now();
        this.admission.started();
        if (this.batch!.header === undefined) this.onMessage(reader.buffer, reader.messageStart, reader.messageEnd, noMetadata);
        else this.onHeaderFrame(reader.buffer, reader.messageStart, reader.messageEnd);
      } catch (error) {
        this.protocolError(error);
        return;
      } finally {
        this.input!.release();
      }
      reader.consume();
    }
    if (this.paused && !this.stopped) {
      this.paused = false;
      this.socket.resume();
    }
  }

  private hasRoom(): boolean {
    if (this.inflating) return false;
    const running = this.inFlight;
    return this.admission.hasRoom(running, running, this.batch!.pendingBytes);
  }

  /** A THeader frame: its headers, then the message inside as the call with those headers as metadata. */
  private onHeaderFrame(buf: Buffer, start: number, end: number): void {
    const header = this.batch!.header!;
    const frame = parseHeaderFrame(buf, start, end);
    if (frame.protocolId !== header.protocolId) {
      throw new ThriftProtocolError("malformed", `THeader protocol id ${frame.protocolId} after ${header.protocolId} on one connection`);
    }
    header.flags = frame.flags;
    if (frame.transforms.length === 0) {
      this.onMessage(buf, frame.payloadStart, end, frame.metadata ?? noMetadata);
      return;
    }
    if (!canUndoTransforms(frame.transforms)) {
      const named = frame.transforms.join(", ");
      this.sendApplicationException("", frame.seqid, ApplicationExceptionType.INVALID_TRANSFORM, `THeader transforms ${named}: only zlib (1) is supported`);
      throw new ThriftProtocolError("malformed", `THeader transforms ${named} (only zlib is supported)`);
    }
    // A copy: the reader reuses its buffer once the frame is consumed.
    this.inflateThenRun(Buffer.from(buf.subarray(frame.payloadStart, end)), frame);
  }

  /** A zlib THeader payload: inflated off the event loop, reading paused meanwhile (hasRoom), then run as any call. */
  private inflateThenRun(payload: Buffer, frame: HeaderFrame): void {
    this.inflating = true;
    undoTransforms(payload, frame.transforms, this.env.limits.frameLimits.maxFrameBytes, this.env.inflates).then(
      (message) => {
        this.inflating = false;
        if (this.stopped) return;
        this.runInflated(message, frame.metadata ?? noMetadata);
      },
      (error: unknown) => {
        this.inflating = false;
        if (this.stopped) return;
        const message = error instanceof Error ? error.message : String(error);
        this.sendApplicationException("", frame.seqid, ApplicationExceptionType.PROTOCOL_ERROR, message);
        this.protocolError(error);
      },
    );
  }

  private runInflated(message: Buffer, metadata: Readonly<Record<string, string>>): void {
    // As in pump: calls ending meanwhile must not start reading the next messages from inside this one.
    this.pumping = true;
    try {
      this.onMessage(message, 0, message.length, metadata);
    } catch (error) {
      this.protocolError(error);
      return;
    } finally {
      this.input!.release();
      this.pumping = false;
    }
    this.pump();
  }

  /** One complete message: a call to start, or a refusal, unknown method or bad message to answer. */
  private onMessage(buf: Buffer, start: number, end: number, metadata: Readonly<Record<string, string>>): void {
    const input = this.input!;
    input.reset(buf, start, end);
    input.messageBegin();
    const { name, messageType, seqid } = input;
    if (messageType !== MessageType.CALL && messageType !== MessageType.ONEWAY) {
      this.sendApplicationException(
        methodPartOf(name),
        seqid,
        ApplicationExceptionType.INVALID_MESSAGE_TYPE,
        `message of type ${messageType} where a call was expected`,
      );
      throw new ThriftProtocolError("malformed", `a client sent a message of type ${messageType}`);
    }
    if (this.refusal !== undefined) {
      this.env.dispatcher.refusedEarly(this.names.resolve(name)?.method, name, this.protocol, this.peer, this.refusal, metadata);
      this.sendException(methodPartOf(name), seqid, this.refusal);
      this.stopped = true;
      this.end();
      return;
    }
    const oneway = messageType === MessageType.ONEWAY;
    const dispatcher = this.env.dispatcher;
    const registered = this.names.resolve(name);
    if (registered === undefined) {
      const unknown = dispatcher.unknownMethod(name, oneway, this.peer, this.protocol, metadata);
      if (!oneway) this.sendException(methodPartOf(name), seqid, this.names.ambiguity(name) ?? unknown);
      return;
    }
    const method = registered.method;
    const call = new ServerCall(registered.service, method, seqid, undefined, metadata, this.peer, this.protocol, this);
    if (oneway && !method.oneway) call.tag = noReply;
    (this.running ??= new Set()).add(call);
    let args: unknown[];
    try {
      args = readArgs(input, method);
      if (input.remaining !== 0) throw new ThriftProtocolError("malformed", `${input.remaining} bytes follow the arguments`);
    } catch (error) {
      dispatcher.refuse(call, dispatcher.badArguments(registered, error));
      return;
    }
    dispatcher.run(registered, call, args);
  }

  /**
   * Stops reading over bytes that are not Thrift, with the reason in the log, and
   * closes once the calls read before them are answered.
   */
  private protocolError(error: unknown): void {
    const reason = error instanceof ThriftProtocolError ? error.reason : "malformed";
    const message = error instanceof Error ? error.message : String(error);
    this.env.logger.warn(
      { peer: this.peer, protocol: this.protocol, reason, err: message },
      "closing Thrift connection: unreadable input",
    );
    this.stopped = true;
    this.reader?.clear();
    this.accountInput();
    if (this.inFlight === 0) this.end();
    else this.closeWhenIdle = true;
  }

  /** Once the last call of a draining or failed connection is answered: tell the server, then close. */
  private finishDrain(): void {
    if (this.inFlight !== 0) return;
    if (this.draining) this.env.drained(this);
    this.end();
  }

  // ---- writing ----

  /** Encodes and queues a reply; throws (having queued nothing) when the outcome cannot be encoded. */
  private sendReply(call: ServerCall, fieldId: number, value: unknown): void {
    const batch = this.batch!;
    const mark = batch.begin(call.requestId);
    try {
      writeReply(batch.out, call.requestId, call.method, fieldId, value);
    } catch (error) {
      batch.abandon(mark);
      throw codecFailure(call.method, "encode outcome", error);
    }
    let size: number;
    try {
      size = batch.end(mark, this.env.limits.frameLimits.maxFrameBytes);
    } catch (error) {
      // Too large to send: the caller gets a clear error instead.
      const tooLarge = RpcError.from(error, Code.RESOURCE_EXHAUSTED);
      this.env.logger.warn({ peer: this.peer, method: call.method.fullName, err: tooLarge.message }, "reply not sent");
      this.sendException(call.method.name, call.requestId, new RpcError(tooLarge.code, `reply not sent: ${tooLarge.message}`));
      return;
    }
    this.admission.replyQueued(size);
  }

  private sendException(name: string, seqid: number, error: RpcError): void {
    const { type, message } = applicationExceptionOf(error);
    this.sendApplicationException(name, seqid, type, message);
  }

  private sendApplicationException(name: string, seqid: number, type: number, message: string): void {
    const batch = this.batch!;
    const mark = batch.begin(seqid);
    writeApplicationException(batch.out, name, seqid, type, message);
    batch.end(mark, Infinity);
  }

  /** SocketOwner: the socket closed. */
  socketClosed(): void {
    this.stopped = true;
    if (this.running !== undefined) {
      abortCalls(this.running, connectionClosedError(this.peer));
      this.running.clear();
    }
    this.reader?.clear();
    this.replies.release();
    this.unfinished.release();
  }
}
