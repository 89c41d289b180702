import type net from "node:net";
import type { CallOptions, Invoker } from "../call.js";
import type { DeadlineEntry } from "../deadline/deadline-wheel.js";
import { type ExpiringEntry, sharedDeadlineWheel } from "../deadline/shared-deadline-wheel.js";
import type { MethodDescriptor } from "../descriptor.js";
import { Code, RpcError } from "../errors.js";
import { encodeRespArguments } from "./call-arguments.js";
import { RespConversionError } from "./resp-conversion-error.js";
import { lineToError } from "./error-reply.js";
import { RespParser } from "./resp-parser.js";
import type { RespValue } from "./resp-value.js";
import { RespWriteBatch } from "./resp-write-batch.js";
import { openClientSocket, resolveClientTls, type ClientTlsOptions, type ResolvedClientTls } from "../security/client-tls.js";
import { respReplyToResult } from "./reply-result.js";

export interface RespChannelOptions {
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Largest reply accepted, in bytes. Default 64 MiB. */
  maxReplyBytes?: number;
  /** TLS to the server (`true`: the system's trusted CAs), as `redis-cli --tls`. Default: plain TCP. */
  tls?: ClientTlsOptions | true;
  /** Logs in with `AUTH [username] <token>` first, as `redis-cli -a`; a refused login fails the calls with UNAUTHENTICATED. */
  token?: string;
  /** The user name for AUTH (default: none, i.e. Redis's `default` user). */
  username?: string;
}

/**
 * A request waiting for its reply; replies arrive in request order. A plain object
 * rather than closures: it is the deadline-wheel entry and the AbortSignal listener
 * (via `handleEvent`) at once, so a call costs no timer and no callbacks of its own.
 */
class PendingReply implements ExpiringEntry {
  deadlineAt = 0;
  wheelBucket: DeadlineEntry[] | undefined = undefined;
  wheelSlot = 0;
  timeoutMs = 0;
  /** Set once the caller has its answer (reply, timeout or cancel); a late reply is then dropped. */
  settled = false;

  constructor(
    private readonly owner: RespChannel,
    /** Undefined for the channel's own commands (RPC.ERRORS, QUIT), whose replies are only consumed. */
    readonly method: MethodDescriptor | undefined,
    readonly signal: AbortSignal | undefined,
    readonly resolve: (value: unknown) => void,
    readonly reject: (error: Error) => void,
  ) {}

  expire(): void {
    const name = this.method?.fullName ?? "the call";
    this.owner.fail(this, new RpcError(Code.DEADLINE_EXCEEDED, `${name} timed out after ${this.timeoutMs} ms`));
  }

  /** AbortSignal listener. */
  handleEvent(): void {
    const name = this.method?.fullName ?? "the call";
    this.owner.fail(this, new RpcError(Code.CANCELLED, `${name} was cancelled`, { cause: this.signal?.reason }));
  }
}

const ignore = (): void => undefined;

/**
 * An Invoker that calls a server over RESP, the way `redis-cli` would: one lazily
 * opened connection, `CALL <Service.method> <args...>` with arguments written by
 * their IDL types, requests pipelined and replies matched in order. Results are
 * decoded back by the method's result type; declared exceptions come back as
 * their generated classes (the channel asks for `RPC.ERRORS JSON` so their fields
 * survive). RESP has no per-call headers: CallOptions.metadata (a trace's
 * `traceparent`, say) is sent as `RPC.METADATA key value ...` just before the
 * call, which the server applies to that call only.
 */
export class RespChannel implements Invoker {
  private readonly options: RespChannelOptions;
  private readonly tls: ResolvedClientTls | undefined;
  private socket: net.Socket | undefined;
  private batch: RespWriteBatch | undefined;
  /** Requests sent and not yet answered, oldest first from `head`. */
  private pending: PendingReply[] = [];
  private head = 0;
  private closed = false;
  private closedPromise: Promise<void> | undefined;

  constructor(options: RespChannelOptions) {
    this.options = options;
    this.tls = options.tls === undefined ? undefined : resolveClientTls(options.tls);
  }

  invoke(method: MethodDescriptor, args: readonly unknown[], options: CallOptions = {}): Promise<unknown> {
    if (this.closed) return Promise.reject(new RpcError(Code.UNAVAILABLE, "RespChannel is closed"));
    if (options.signal?.aborted) return Promise.reject(new RpcError(Code.CANCELLED, `${method.fullName} was cancelled before it was sent`));
    let words: (Buffer | string)[];
    try {
      words = encodeRespArguments(method, args);
    } catch (error) {
      if (error instanceof RespConversionError) return Promise.reject(new RpcError(Code.INVALID_ARGUMENT, error.message, { cause: error }));
      // Anything else (a value nested deeper than the stack) is still a bad argument, and callers expect an RpcError.
      return Promise.reject(RpcError.from(error, Code.INVALID_ARGUMENT));
    }
    const batch = this.connection();
    return new Promise<unknown>((resolve, reject) => {
      const signal = options.signal;
      const entry = new PendingReply(this, method, signal, resolve, reject);
      this.pending.push(entry);
      const timeoutMs = options.timeoutMs ?? method.hints.timeoutMs;
      // As on Channel, 0 and Infinity mean "no deadline".
      if (timeoutMs !== undefined && timeoutMs !== 0 && timeoutMs !== Infinity) {
        entry.timeoutMs = timeoutMs;
        entry.deadlineAt = Date.now() + timeoutMs;
        sharedDeadlineWheel.add(entry);
      }
      signal?.addEventListener("abort", entry, { once: true });
      const metadata = options.metadata;
      if (metadata !== undefined) {
        const entries = Object.entries(metadata);
        if (entries.length > 0) {
          // Its reply comes before the call's: an entry of its own, ahead of the call's in the queue.
          this.pending.splice(this.pending.length - 1, 0, new PendingReply(this, undefined, undefined, ignore, ignore));
          batch.command(["RPC.METADATA", ...entries.flat()]);
        }
      }
      batch.call(method.fullName, words);
    });
  }

  /** Lets outstanding calls finish (QUIT is answered after them), then closes the connection. */
  close(): Promise<void> {
    this.closed = true;
    const socket = this.socket;
    if (socket === undefined) return Promise.resolve();
    if (this.closedPromise === undefined) {
      this.closedPromise = new Promise<void>((resolve) => socket.once("close", () => resolve()));
      this.pending.push(new PendingReply(this, undefined, undefined, ignore, ignore));
      this.batch?.command(["QUIT"]);
    }
    return this.closedPromise;
  }

  /** Closes the connection at once; outstanding calls reject with UNAVAILABLE. */
  destroy(): void {
    this.closed = true;
    this.socket?.destroy();
  }

  /** @internal Settles `entry` with an error unless it already has its answer (timeout, cancel, lost connection). */
  fail(entry: PendingReply, error: Error): void {
    if (!this.release(entry)) return;
    entry.reject(error);
  }

  private succeed(entry: PendingReply, value: unknown): void {
    if (!this.release(entry)) return;
    entry.resolve(value);
  }

  /** Marks `entry` settled and drops its deadline and abort listener; false if it already was. */
  private release(entry: PendingReply): boolean {
    if (entry.settled) return false;
    entry.settled = true;
    if (entry.wheelBucket !== undefined) sharedDeadlineWheel.remove(entry);
    entry.signal?.removeEventListener("abort", entry);
    return true;
  }

  /** The oldest unanswered request, taken off the queue. */
  private takeOldest(): PendingReply | undefined {
    if (this.head >= this.pending.length) return undefined;
    const entry = this.pending[this.head]!;
    this.head++;
    // Drop answered requests in batches rather than shifting the array on every reply.
    if (this.head === this.pending.length) {
      this.pending.length = 0;
      this.head = 0;
    } else if (this.head >= 1024) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
    return entry;
  }

  private connection(): RespWriteBatch {
    if (this.socket !== undefined && this.batch !== undefined) return this.batch;
    const socket = openClientSocket(this.options.host ?? "127.0.0.1", this.options.port, this.tls, "resp");
    const maxReplyBytes = this.options.maxReplyBytes ?? 64 * 1024 * 1024;
    const parser = new RespParser({ maxValueBytes: maxReplyBytes, maxBulkBytes: maxReplyBytes });
    let failure: Error | undefined;
    socket.on("data", (chunk: Buffer) => {
      parser.push(chunk);
      try {
        for (let reply = parser.next(); reply !== undefined; reply = parser.next()) this.onReply(reply);
      } catch (error) {
        failure = new RpcError(Code.INTERNAL, `unreadable reply from the server: ${(error as Error).message}`, { cause: error });
        socket.destroy();
      }
    });
    socket.on("error", (error) => {
      failure = RpcError.from(error, Code.UNAVAILABLE);
    });
    socket.on("close", () => {
      if (this.socket === socket) {
        this.socket = undefined;
        this.batch = undefined;
      }
      const error = failure ?? new RpcError(Code.UNAVAILABLE, "connection closed");
      const unanswered = this.pending.slice(this.head);
      this.pending = [];
      this.head = 0;
      for (const entry of unanswered) this.fail(entry, error);
    });
    const batch = new RespWriteBatch(socket);
    this.socket = socket;
    this.batch = batch;
    const { token, username } = this.options;
    if (token !== undefined) {
      const refused = (error: Error): void => {
        failure = new RpcError(Code.UNAUTHENTICATED, `the server refused the login: ${error.message}`);
        socket.destroy();
      };
      this.pending.push(new PendingReply(this, undefined, undefined, ignore, refused));
      batch.command(username === undefined ? ["AUTH", token] : ["AUTH", username, token]);
    }
    // Declared exceptions as JSON fields, so they can be rebuilt exactly.
    this.pending.push(new PendingReply(this, undefined, undefined, ignore, ignore));
    batch.command(["RPC.ERRORS", "JSON"]);
    return batch;
  }

  private onReply(reply: RespValue): void {
    const entry = this.takeOldest();
    if (entry === undefined) throw new Error(`a reply arrived with no request waiting for it (${reply.type})`);
    if (entry.settled) return;
    const method = entry.method;
    if (method === undefined) {
      // The channel's own commands: only a refused AUTH matters (its reject closes the connection).
      if (reply.type === "error") this.fail(entry, new RpcError(Code.UNKNOWN, reply.value));
      else this.succeed(entry, undefined);
      return;
    }
    if (reply.type === "error") {
      this.fail(entry, lineToError(method, reply.value));
      return;
    }
    let value: unknown;
    try {
      value = respReplyToResult(method, reply);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.fail(entry, new RpcError(Code.INTERNAL, `unexpected reply to ${method.fullName}: ${message}`, { cause: error }));
      return;
    }
    this.succeed(entry, value);
  }
}
