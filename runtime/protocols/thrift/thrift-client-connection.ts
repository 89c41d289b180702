import { connect } from "node:net";
import {
  PipelinedConnection,
  type ConnectionEvents,
  type PipelinedConnectionSettings,
} from "../../client/pipelined-connection.js";
import { codecFailure } from "../../codec/value-error.js";
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
export interface ThriftConnectionSettings extends PipelinedConnectionSettings {
  host: string;
  port: number;
  framed: boolean;
  /** THeader inside the frames (framed is true too): calls carry their metadata as info headers. */
  header: boolean;
  compact: boolean;
  /** Method names go out as `Service:method` (TMultiplexedProtocol). */
  multiplexed: boolean;
  /** Largest call and largest reply, in bytes. */
  maxMessageBytes: number;
}

/** What a connection tells its channel (never goaway: Thrift has none). */
export type ThriftConnectionEvents = ConnectionEvents<ThriftClientConnection>;

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
 * Thrift cannot cancel a call: one given up on (deadline, abort) settles at
 * once, and its reply, if it comes, is dropped as its seqid is no longer
 * pending. The socket's life and the table of waiting calls are
 * PipelinedConnection's, shared with the rpcgen client.
 */
export class ThriftClientConnection
  extends PipelinedConnection<ThriftPendingCall, ThriftConnectionSettings>
  implements ThriftPendingCallOwner
{
  private readonly batch: ThriftWriteBatch;
  private readonly reader: ThriftMessageReader;
  private readonly input: ThriftInput;
  /** THeader's id of the connection's protocol, or -1 without THeader. */
  private readonly headerProtocolId: number;

  constructor(settings: ThriftConnectionSettings, events: ThriftConnectionEvents) {
    super(connect({ host: settings.host, port: settings.port, noDelay: true }), "connect", settings, events, maxSeqid);
    const out = settings.compact ? new CompactOutput() : new BinaryOutput();
    this.batch = new ThriftWriteBatch(this.socket, out, settings.framed, this, earlyFlushBytes);
    this.reader = new ThriftMessageReader(settings.framed, settings.compact, settings.maxMessageBytes);
    this.input = settings.compact ? new CompactInput() : new BinaryInput();
    this.headerProtocolId = !settings.header ? -1 : settings.compact ? HeaderProtocolId.COMPACT : HeaderProtocolId.BINARY;
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
    const seqid = this.allocateId();
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
      return Promise.reject(this.backlogError(backlog));
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
    const seqid = this.allocateId();
    const mark = this.batch.begin();
    if (this.headerProtocolId >= 0) writeHeaderPrefix(this.batch.out, 0, seqid, this.headerProtocolId);
    this.batch.out.messageBegin(name, MessageType.CALL, seqid);
    this.batch.out.structBegin();
    this.batch.out.structEnd();
    this.batch.end(mark, Infinity);
    return this.trackPing(new ThriftPendingCall(seqid, undefined, signal, this), deadlineAt);
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

  protected override onOpen(): void {
    this.socket.setKeepAlive(true, keepAliveMs);
  }

  protected override onSocketClosed(): void {
    this.reader.clear();
  }

  protected override flushWrites(): void {
    this.batch.flush();
  }

  protected override onData(chunk: Buffer): void {
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
    if (call === undefined) return;
    this.forget(call);
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
}
