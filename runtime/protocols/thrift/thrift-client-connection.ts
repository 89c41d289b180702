import { connect, type Socket } from "node:net";
import { ConnectionLostError } from "../../client/connection-lost-error.js";
import { codecFailure } from "../../codec/value-error.js";
import { sharedDeadlineWheel } from "../../deadline/shared-deadline-wheel.js";
import type { MethodDescriptor } from "../../descriptor.js";
import { Code, RpcError } from "../../errors.js";
import { errorOfApplicationException } from "./application-exception.js";
import { HeaderProtocolId, parseHeaderFrame, writeHeaderPrefix } from "./theader-frame.js";
import { canUndoTransforms, undoTransforms } from "./theader-inflate.js";
import { BinaryInput } from "./binary-input.js";
import { BinaryOutput } from "./binary-output.js";
import { CompactInput } from "./compact-input.js";
import { CompactOutput } from "./compact-output.js";
import type { ThriftInput } from "./thrift-input.js";
import { ThriftMessageReader } from "./thrift-message-reader.js";
import { readApplicationException, readOutcome, writeCall } from "./thrift-messages.js";
import { ThriftPendingCall, type ThriftPendingCallOwner } from "./thrift-pending-call.js";
import { ThriftProtocolError } from "./thrift-protocol-error.js";
import { ThriftWriteBatch } from "./thrift-write-batch.js";
import { MessageType } from "./thrift-wire-types.js";

/** What a connection takes from its channel. */
export interface ThriftConnectionSettings {
  host: string;
  port: number;
  address: string;
  framed: boolean;
  /** THeader inside the frames (framed is true too): calls carry their metadata as info headers. */
  header: boolean;
  compact: boolean;
  /** Method names go out as `Service:method` (TMultiplexedProtocol). */
  multiplexed: boolean;
  /** Largest call and largest reply, in bytes. */
  maxMessageBytes: number;
  /** Bytes a connection may hold unsent before calls fail RESOURCE_EXHAUSTED. */
  maxPendingBytes: number;
  connectTimeoutMs: number;
}

/** What a connection tells its channel. */
export interface ThriftConnectionEvents {
  connected(connection: ThriftClientConnection): void;
  /** `error` is undefined for an orderly close. */
  closed(connection: ThriftClientConnection, error: RpcError | undefined): void;
  pendingChanged(delta: number): void;
}

/** Calls issued in one turn leave in writes of about this size, so the server starts on the first ones early. */
const earlyFlushBytes = 2048;
const maxSeqid = 0x7fffffff;
/** TCP keepalive: Thrift has no heartbeat of its own, so the kernel probes an idle connection. */
const keepAliveMs = 10_000;
const multiplexedNames = new WeakMap<MethodDescriptor, string>();

/**
 * One connection to an Apache Thrift server. Calls are pipelined: each is
 * written as soon as it is made (batched per turn), and replies are matched
 * to calls by seqid, whatever order they come in (Apache's servers answer in
 * order, rpcgen's as calls finish). Oneway calls settle once written.
 */
export class ThriftClientConnection implements ThriftPendingCallOwner {
  /** Takes new calls while true (connecting or open, not closing or closed). */
  acceptsCalls = true;
  closed = false;
  private connected = false;
  private readonly socket: Socket;
  private readonly batch: ThriftWriteBatch;
  private readonly reader: ThriftMessageReader;
  private readonly input: ThriftInput;
  private readonly pending = new Map<number, ThriftPendingCall>();
  private nextSeqid = 1;
  private closeError: RpcError | undefined;
  private endWhenIdle = false;
  /** Batches handed to the socket so far (see wasSent). */
  private flushes = 0;
  /** THeader's id of the connection's protocol, or -1 without THeader. */
  private readonly headerProtocolId: number;

  constructor(
    private readonly settings: ThriftConnectionSettings,
    private readonly events: ThriftConnectionEvents,
  ) {
    this.socket = connect({ host: settings.host, port: settings.port, noDelay: true });
    const out = settings.compact ? new CompactOutput() : new BinaryOutput();
    this.batch = new ThriftWriteBatch(this.socket, out, settings.framed, () => void this.flushes++, earlyFlushBytes);
    this.reader = new ThriftMessageReader(settings.framed, settings.compact, settings.maxMessageBytes);
    this.input = settings.compact ? new CompactInput() : new BinaryInput();
    this.headerProtocolId = !settings.header ? -1 : settings.compact ? HeaderProtocolId.COMPACT : HeaderProtocolId.BINARY;
    if (settings.connectTimeoutMs > 0) {
      this.socket.setTimeout(settings.connectTimeoutMs, () => {
        this.fail(
          new RpcError(Code.UNAVAILABLE, `connect to ${settings.address} timed out after ${settings.connectTimeoutMs} ms`),
        );
      });
    }
    this.socket.on("connect", () => this.onConnect());
    this.socket.on("data", (chunk: Buffer) => this.onData(chunk));
    this.socket.on("error", (error) => {
      this.closeError ??= RpcError.from(error, Code.UNAVAILABLE);
    });
    this.socket.on("end", () => {
      this.closeError ??=
        this.pending.size > 0 ? new RpcError(Code.UNAVAILABLE, `${settings.address} closed the connection`) : undefined;
      this.socket.end();
    });
    this.socket.on("close", () => this.onClose());
  }

  /** Calls (and pings) waiting for a reply. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /**
   * Sends a call; `deadlineAt` is epoch ms or 0 for none; `metadata` goes out as
   * THeader info headers (only with THeader). Resolves with the return value,
   * rejects with the declared exception instance or an RpcError.
   */
  call(
    method: MethodDescriptor,
    args: readonly unknown[],
    deadlineAt: number,
    signal: AbortSignal | undefined,
    metadata?: Readonly<Record<string, string>>,
  ): Promise<unknown> {
    const oneway = method.oneway;
    const seqid = this.allocateSeqid();
    const backlog = this.batch.pendingBytes;
    const mark = this.batch.begin();
    if (this.headerProtocolId >= 0) {
      try {
        writeHeaderPrefix(this.batch.out, 0, seqid, this.headerProtocolId, metadata);
      } catch (error) {
        this.batch.abandon(mark);
        return Promise.reject(new RpcError(Code.INVALID_ARGUMENT, `${method.fullName}: metadata cannot be sent: ${(error as Error).message}`));
      }
    }
    try {
      writeCall(this.batch.out, this.nameOf(method), oneway ? MessageType.ONEWAY : MessageType.CALL, seqid, method, args);
    } catch (error) {
      this.batch.abandon(mark);
      return Promise.reject(codecFailure(method, "encode args", error));
    }
    let size: number;
    try {
      size = this.batch.end(mark, this.settings.maxMessageBytes);
    } catch (error) {
      return Promise.reject(RpcError.from(error, Code.RESOURCE_EXHAUSTED));
    }
    if (backlog + size > this.settings.maxPendingBytes) {
      this.batch.abandon(mark);
      return Promise.reject(
        new RpcError(
          Code.RESOURCE_EXHAUSTED,
          `${this.settings.address} is not reading fast enough: ${backlog} bytes already wait to be sent (limit ${this.settings.maxPendingBytes})`,
        ),
      );
    }
    if (oneway) {
      return new Promise((resolve, reject) => {
        this.batch.onWritten((error) => (error ? reject(RpcError.from(error, Code.UNAVAILABLE)) : resolve(undefined)));
      });
    }
    const call = new ThriftPendingCall(seqid, method, signal, this);
    const promise = call.promise();
    this.track(call, deadlineAt);
    this.batch.flushIfFull();
    return promise;
  }

  /**
   * A round trip that needs nothing of the server: a call named `name`, a method
   * no IDL can declare, which every Thrift server answers with a
   * TApplicationException (UNKNOWN_METHOD). Resolves with the time in ms.
   */
  ping(name: string, deadlineAt: number, signal: AbortSignal | undefined): Promise<number> {
    const seqid = this.allocateSeqid();
    const mark = this.batch.begin();
    if (this.headerProtocolId >= 0) writeHeaderPrefix(this.batch.out, 0, seqid, this.headerProtocolId);
    this.batch.out.messageBegin(name, MessageType.CALL, seqid);
    this.batch.out.structBegin();
    this.batch.out.structEnd();
    this.batch.end(mark, Infinity);
    const call = new ThriftPendingCall(seqid, undefined, signal, this);
    const promise = call.promise() as Promise<number>;
    call.startedAt = performance.now();
    this.track(call, deadlineAt);
    return promise;
  }

  /** Graceful: no new calls; the socket is ended once the pending calls settle. */
  close(): void {
    this.acceptsCalls = false;
    this.endWhenIdle = true;
    if (this.pending.size === 0) this.endSocket();
  }

  /** Aborts the connection: every pending call rejects with `error`. */
  destroy(error: RpcError): void {
    this.fail(error);
  }

  expireCall(call: ThriftPendingCall): void {
    if (!this.untrack(call)) return;
    const what = call.method === undefined ? "ping" : call.method.fullName;
    // Thrift cannot cancel a call: its reply, if it comes, is dropped (its seqid is no longer pending).
    call.reject(new RpcError(Code.DEADLINE_EXCEEDED, `${what} to ${this.settings.address} passed its deadline`));
  }

  cancelCall(call: ThriftPendingCall): void {
    if (!this.untrack(call)) return;
    const what = call.method === undefined ? "ping" : call.method.fullName;
    call.reject(new RpcError(Code.CANCELLED, `${what} was cancelled`, { cause: call.signal?.reason }));
  }

  private nameOf(method: MethodDescriptor): string {
    if (!this.settings.multiplexed) return method.name;
    let name = multiplexedNames.get(method);
    if (name === undefined) {
      name = `${method.service}:${method.name}`;
      multiplexedNames.set(method, name);
    }
    return name;
  }

  private allocateSeqid(): number {
    // Skip seqids still in flight after a wrap-around.
    let seqid = this.nextSeqid;
    while (this.pending.has(seqid)) seqid = seqid === maxSeqid ? 1 : seqid + 1;
    this.nextSeqid = seqid === maxSeqid ? 1 : seqid + 1;
    return seqid;
  }

  private track(call: ThriftPendingCall, deadlineAt: number): void {
    call.queuedBeforeFlush = this.flushes;
    this.pending.set(call.seqid, call);
    this.events.pendingChanged(1);
    if (deadlineAt !== 0) {
      call.deadlineAt = deadlineAt;
      sharedDeadlineWheel.add(call);
    }
    if (call.signal !== undefined) call.signal.addEventListener("abort", call, { once: true });
  }

  /** Forgets a call; false if it had already been settled. */
  private untrack(call: ThriftPendingCall): boolean {
    if (this.pending.get(call.seqid) !== call) return false;
    this.pending.delete(call.seqid);
    this.events.pendingChanged(-1);
    if (call.wheelBucket !== undefined) sharedDeadlineWheel.remove(call);
    if (call.signal !== undefined) call.signal.removeEventListener("abort", call);
    if (this.pending.size === 0 && this.endWhenIdle && !this.closed) {
      // Closing and now idle: finish the socket after this turn's writes.
      setImmediate(() => this.endSocket());
    }
    return true;
  }

  private onConnect(): void {
    this.connected = true;
    this.socket.setTimeout(0);
    this.socket.setKeepAlive(true, keepAliveMs);
    this.events.connected(this);
  }

  private onData(chunk: Buffer): void {
    this.reader.push(chunk);
    const reader = this.reader;
    try {
      while (reader.next()) {
        if (this.headerProtocolId < 0) this.onMessage(reader.buffer, reader.messageStart, reader.messageEnd);
        else this.onHeaderFrame(reader.buffer, reader.messageStart, reader.messageEnd);
        reader.consume();
      }
    } catch (error) {
      this.failUnreadable(error);
    } finally {
      this.input.release();
    }
  }

  private failUnreadable(error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    this.fail(
      new RpcError(Code.INTERNAL, `${this.settings.address} sent bytes that are not Thrift replies: ${reason}`, {
        cause: error,
      }),
    );
  }

  /** A THeader reply: the message inside (its info headers are not used), inflated first if the server applied zlib. */
  private onHeaderFrame(buf: Buffer, start: number, end: number): void {
    const frame = parseHeaderFrame(buf, start, end);
    if (frame.protocolId !== this.headerProtocolId) {
      throw new ThriftProtocolError("malformed", `a THeader reply in protocol ${frame.protocolId} to calls in ${this.headerProtocolId}`);
    }
    if (frame.transforms.length === 0) {
      this.onMessage(buf, frame.payloadStart, end);
      return;
    }
    if (!canUndoTransforms(frame.transforms)) {
      throw new ThriftProtocolError("malformed", `THeader transforms ${frame.transforms.join(", ")} (only zlib is supported)`);
    }
    // A copy: the reader reuses its buffer once the frame is consumed. Replies are matched by seqid, so order does not matter.
    const payload = Buffer.from(buf.subarray(frame.payloadStart, end));
    undoTransforms(payload, frame.transforms, this.settings.maxMessageBytes).then(
      (message) => {
        if (this.closed) return;
        try {
          this.onMessage(message, 0, message.length);
        } catch (error) {
          this.failUnreadable(error);
        } finally {
          this.input.release();
        }
      },
      (error: unknown) => this.failUnreadable(error),
    );
  }

  /** One reply: settles the call with its seqid (a reply to a call given up on is dropped). */
  private onMessage(buf: Buffer, start: number, end: number): void {
    const input = this.input;
    input.reset(buf, start, end);
    input.messageBegin();
    const call = this.pending.get(input.seqid);
    if (call === undefined || !this.untrack(call)) return;
    const method = call.method;
    if (method === undefined) {
      call.resolve(performance.now() - call.startedAt);
      return;
    }
    if (input.messageType === MessageType.EXCEPTION) {
      const { type, message } = readApplicationException(input);
      call.reject(errorOfApplicationException(type, message));
      return;
    }
    if (input.messageType !== MessageType.REPLY) {
      call.reject(
        new RpcError(
          Code.INTERNAL,
          `${this.settings.address} answered ${method.fullName} with a message of type ${input.messageType}`,
        ),
      );
      return;
    }
    let outcome;
    try {
      outcome = readOutcome(input, method);
    } catch (error) {
      call.reject(codecFailure(method, "decode outcome", error));
      return;
    }
    if (outcome.fieldId === 0) call.resolve(outcome.value);
    else call.reject(outcome.value);
  }

  private endSocket(): void {
    if (this.closed) return;
    this.acceptsCalls = false;
    this.batch.flush();
    this.socket.end();
  }

  private fail(error: RpcError): void {
    this.closeError ??= error;
    this.acceptsCalls = false;
    this.socket.destroy();
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.acceptsCalls = false;
    this.reader.clear();
    let error = this.closeError;
    if (error === undefined && this.pending.size > 0) {
      error = new RpcError(Code.UNAVAILABLE, `connection to ${this.settings.address} closed`);
    }
    if (!this.connected && error === undefined) {
      error = new RpcError(Code.UNAVAILABLE, `connection to ${this.settings.address} closed before it opened`);
    }
    const calls = [...this.pending.values()];
    // Only a lost connection says how far each call got; a local destroy or a protocol error does not.
    const lost = error !== undefined && error.code === Code.UNAVAILABLE ? error : undefined;
    // One error per kind of delivery, shared by the calls: failing a connection costs no allocation per call.
    let neverSent: ConnectionLostError | undefined;
    let unanswered: ConnectionLostError | undefined;
    for (const call of calls) {
      this.untrack(call);
      if (lost === undefined) call.reject(error);
      else if (this.wasSent(call))
        call.reject((unanswered ??= ConnectionLostError.of("unanswered", this.settings.address, lost)));
      else call.reject((neverSent ??= ConnectionLostError.of("never-sent", this.settings.address, lost)));
    }
    this.events.closed(this, error);
  }

  /**
   * Whether `call` may have reached the peer: the connection was open and the
   * batch holding it was handed to the socket.
   */
  private wasSent(call: ThriftPendingCall): boolean {
    return this.connected && call.queuedBeforeFlush !== this.flushes;
  }
}
