import type { Socket } from "node:net";
import { sharedDeadlineWheel } from "../deadline/shared-deadline-wheel.js";
import { Code, RpcError } from "../errors.js";
import { LostCallErrors } from "./lost-call-errors.js";
import type { WaitingCall, WaitingCallOwner } from "./waiting-call.js";
import type { FlushListener } from "../transport/frame-batch-writer.js";

/** What every client connection takes from its channel, whatever it speaks. */
export interface PipelinedConnectionSettings {
  /** The provider, `host:port`, as errors name it. */
  address: string;
  connectTimeoutMs: number;
  /** Bytes a connection may hold unsent before calls fail RESOURCE_EXHAUSTED. */
  maxPendingBytes: number;
}

/** What a connection tells its channel. */
export interface ConnectionEvents<C> {
  connected(connection: C): void;
  /** The server is shutting down and takes no new calls (rpcgen's goaway frame; Thrift has none). */
  goaway(connection: C): void;
  /** `error` is undefined for an orderly close (after goaway or a local close). */
  closed(connection: C, error: RpcError | undefined): void;
  pendingChanged(delta: number): void;
}

/**
 * One client socket whose calls are pipelined and answered by id, in any
 * order: what the rpcgen connection (request ids) and the Apache Thrift one
 * (seqids) have in common, which is all but the bytes. It owns the socket's
 * life (connect timeout, error, the peer's end, close), the table of calls
 * waiting for a reply (id allocation, deadline wheel, abort listener, the
 * channel's pending count), graceful close and drain, and on close fails every
 * waiting call saying how far it got (ConnectionLostError).
 *
 * A subclass opens the socket, writes calls in batches and reads replies: it
 * implements onData() and flushWrites(), hands itself (a FlushListener) to
 * its batch writer, and may hook onOpen(), onSocketClosed() and callGivenUp().
 *
 * A base class rather than a helper object: the protocol part calls into the
 * shared part on every call (track, forget) and the shared part calls back at
 * fixed points, so one object with direct method calls costs the hot path no
 * extra allocation or indirection.
 */
export abstract class PipelinedConnection<Call extends WaitingCall<Call>, Settings extends PipelinedConnectionSettings>
  implements WaitingCallOwner<Call>, FlushListener
{
  /** Takes new calls while true (connecting or open, not draining or closed). */
  acceptsCalls = true;
  closed = false;
  /** Whether the socket opened (after TLS, if any). */
  protected connected = false;
  /** The calls waiting for a reply, by id. */
  protected readonly pending = new Map<number, Call>();
  private nextId = 1;
  private closeError: RpcError | undefined;
  /**
   * Batches handed to the socket so far. A call remembers the count when it is
   * queued: if it is unchanged when the connection dies, the call's batch never
   * left this process (see wasSent).
   */
  private flushes = 0;
  /** FlushListener: the subclass's batch writer handed a batch to the socket. */
  flushed(): void {
    this.flushes++;
  }

  /**
   * @param readyEvent the socket's event once calls can go out ("secureConnect" over TLS).
   * @param maxId the largest id the protocol allows; ids wrap around to 1 after it.
   */
  protected constructor(
    protected readonly socket: Socket,
    readyEvent: "connect" | "secureConnect",
    protected readonly settings: Settings,
    protected readonly events: ConnectionEvents<PipelinedConnection<Call, Settings>>,
    private readonly maxId: number,
  ) {
    if (settings.connectTimeoutMs > 0) {
      socket.setTimeout(settings.connectTimeoutMs, () => {
        this.fail(
          new RpcError(Code.UNAVAILABLE, `connect to ${settings.address} timed out after ${settings.connectTimeoutMs} ms`),
        );
      });
    }
    socket.on(readyEvent, () => this.onConnect());
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (error) => {
      this.closeError ??= RpcError.from(error, Code.UNAVAILABLE);
    });
    socket.on("end", () => {
      // The server finished its side; nothing more will arrive for pending calls.
      this.closeError ??=
        this.pending.size > 0 ? new RpcError(Code.UNAVAILABLE, `${settings.address} closed the connection`) : undefined;
      socket.end();
    });
    socket.on("close", () => this.onClose());
  }

  /** Calls (and pings) waiting for a reply. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Graceful: no new calls; the socket is ended once the pending calls settle. */
  close(): void {
    this.acceptsCalls = false;
    if (this.pending.size === 0) this.endSocket();
  }

  /** Aborts the connection: every pending call rejects with `error`. */
  destroy(error: RpcError): void {
    this.fail(error);
  }

  expireCall(call: Call): void {
    if (!this.untrack(call)) return;
    this.callGivenUp(call);
    const what = call.method === undefined ? "ping" : call.method.fullName;
    call.fail(new RpcError(Code.DEADLINE_EXCEEDED, `${what} to ${this.settings.address} passed its deadline`));
  }

  cancelCall(call: Call): void {
    if (!this.untrack(call)) return;
    this.callGivenUp(call);
    const what = call.method === undefined ? "ping" : call.method.fullName;
    call.fail(new RpcError(Code.CANCELLED, `${what} was cancelled`, { cause: call.signal?.reason }));
  }

  /** Bytes arrived: decode them and settle the calls they answer. */
  protected abstract onData(chunk: Buffer): void;

  /** Writes the batch being built now (before the socket is ended). */
  protected abstract flushWrites(): void;

  /** The socket opened, before the channel hears of it. */
  protected onOpen(): void {}

  /** The socket closed, before its waiting calls are failed. */
  protected onSocketClosed(): void {}

  /**
   * A call was given up here (deadline or cancel) and no longer waits; its
   * reply, if one comes, is dropped as its id is unknown. A protocol that can
   * tell the server to stop the call does it here.
   */
  protected callGivenUp(_call: Call): void {}

  /** The id of a new call: the next one not in flight (ids wrap around past maxId to 1; 0 stays free). */
  protected allocateId(): number {
    const maxId = this.maxId;
    let id = this.nextId;
    while (this.pending.has(id)) id = id === maxId ? 1 : id + 1;
    this.nextId = id === maxId ? 1 : id + 1;
    return id;
  }

  /** Starts waiting for the reply to `call`, until `deadlineAt` (epoch ms, 0 for none) or its signal aborts. */
  protected track(call: Call, deadlineAt: number): void {
    call.queuedBeforeFlush = this.flushes;
    this.pending.set(call.id, call);
    this.events.pendingChanged(1);
    if (deadlineAt !== 0) {
      call.deadlineAt = deadlineAt;
      sharedDeadlineWheel.add(call);
    }
    if (call.signal !== undefined) call.signal.addEventListener("abort", call, { once: true });
  }

  /** track() for a ping, whose promise resolves with the round trip in ms. */
  protected trackPing(call: Call, deadlineAt: number): Promise<number> {
    const promise = call.promise() as Promise<number>;
    call.startedAt = performance.now();
    this.track(call, deadlineAt);
    return promise;
  }

  /** Forgets a call; false if it had already been settled. */
  protected untrack(call: Call): boolean {
    if (this.pending.get(call.id) !== call) return false;
    this.forget(call);
    return true;
  }

  /** untrack() for a call just looked up by its id, so known to be pending. */
  protected forget(call: Call): void {
    this.pending.delete(call.id);
    this.events.pendingChanged(-1);
    if (call.wheelBucket !== undefined) sharedDeadlineWheel.remove(call);
    if (call.signal !== undefined) call.signal.removeEventListener("abort", call);
    if (this.pending.size === 0 && !this.acceptsCalls && !this.closed) {
      // Draining (goaway or local close) and now idle: finish the socket after this turn's writes.
      setImmediate(() => this.endSocket());
    }
  }

  /** The error of a call refused because `backlog` bytes already wait to be sent. */
  protected backlogError(backlog: number): RpcError {
    return new RpcError(
      Code.RESOURCE_EXHAUSTED,
      `${this.settings.address} is not reading fast enough: ${backlog} bytes already wait to be sent (limit ${this.settings.maxPendingBytes})`,
    );
  }

  /** Ends the socket after what is queued, unless it is closed already. */
  protected endSocket(): void {
    if (this.closed) return;
    this.acceptsCalls = false;
    this.flushWrites();
    this.socket.end();
  }

  /** Destroys the socket; the waiting calls fail with `error` unless the connection failed already. */
  protected fail(error: RpcError): void {
    this.closeError ??= error;
    this.acceptsCalls = false;
    this.socket.destroy();
  }

  private onConnect(): void {
    this.connected = true;
    this.socket.setTimeout(0);
    this.onOpen();
    this.events.connected(this);
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.acceptsCalls = false;
    this.onSocketClosed();
    const address = this.settings.address;
    let error = this.closeError;
    if (error === undefined && this.pending.size > 0) {
      error = new RpcError(Code.UNAVAILABLE, `connection to ${address} closed`);
    }
    if (!this.connected && error === undefined) {
      error = new RpcError(Code.UNAVAILABLE, `connection to ${address} closed before it opened`);
    }
    const calls = [...this.pending.values()];
    // Only a lost connection says how far each call got; a local destroy or a protocol error does not.
    const lost = error !== undefined && error.code === Code.UNAVAILABLE ? new LostCallErrors(address, error) : undefined;
    for (const call of calls) {
      this.untrack(call);
      call.fail(lost === undefined ? error : lost.of(this.wasSent(call)));
    }
    this.events.closed(this, error);
  }

  /**
   * Whether `call` may have reached the peer: the connection was open and the
   * batch holding the call was handed to the socket. (What the kernel held
   * unsent cannot be told apart, so it counts as sent.)
   */
  private wasSent(call: Call): boolean {
    return this.connected && call.queuedBeforeFlush !== this.flushes;
  }
}
