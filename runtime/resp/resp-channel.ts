import net from "node:net";
import type { CallOptions, Invoker } from "../call.js";
import type { MethodDescriptor } from "../descriptor.js";
import { Code, RpcError } from "../errors.js";
import { writeRespArguments } from "./call-arguments.js";
import { RespConversionError } from "./resp-conversion-error.js";
import { lineToError } from "./error-reply.js";
import { RespParser } from "./resp-parser.js";
import { serializeCommand } from "./resp-serializer.js";
import type { RespValue } from "./resp-value.js";
import { respReplyToResult } from "./reply-result.js";

export interface RespChannelOptions {
  port: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Largest reply accepted, in bytes. Default 64 MiB. */
  maxReplyBytes?: number;
}

/** A request waiting for its reply; replies arrive in request order. */
interface PendingReply {
  /** Undefined for the channel's own commands (RPC.ERRORS, QUIT), whose replies are only consumed. */
  readonly method: MethodDescriptor | undefined;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  /** Set once the caller has its answer (reply, timeout or cancel); a late reply is then dropped. */
  settled: boolean;
  cleanup: () => void;
}

/**
 * An Invoker that calls a server over RESP, the way `redis-cli` would: one lazily
 * opened connection, `CALL <Service.method> <args...>` with arguments written by
 * their IDL types, requests pipelined and replies matched in order. Results are
 * decoded back by the method's result type; declared exceptions come back as
 * their generated classes (the channel asks for `RPC.ERRORS JSON` so their fields
 * survive). RESP carries no metadata, so CallOptions.metadata is not sent.
 */
export class RespChannel implements Invoker {
  private readonly options: RespChannelOptions;
  private socket: net.Socket | undefined;
  private readonly pending: PendingReply[] = [];
  private closed = false;
  private closedPromise: Promise<void> | undefined;

  constructor(options: RespChannelOptions) {
    this.options = options;
  }

  invoke(method: MethodDescriptor, args: readonly unknown[], options: CallOptions = {}): Promise<unknown> {
    if (this.closed) return Promise.reject(new RpcError(Code.UNAVAILABLE, "RespChannel is closed"));
    if (options.signal?.aborted) return Promise.reject(new RpcError(Code.CANCELLED, `${method.fullName} was cancelled before it was sent`));
    let words: Buffer[];
    try {
      words = writeRespArguments(method, args);
    } catch (error) {
      if (error instanceof RespConversionError) return Promise.reject(new RpcError(Code.INVALID_ARGUMENT, error.message, { cause: error }));
      return Promise.reject(error);
    }
    const socket = this.connection();
    return new Promise<unknown>((resolve, reject) => {
      const entry = this.enqueue(method, resolve, reject);
      const timeoutMs = options.timeoutMs ?? method.hints.timeoutMs;
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => this.settle(entry, new RpcError(Code.DEADLINE_EXCEEDED, `${method.fullName} timed out after ${timeoutMs} ms`)), timeoutMs);
      const signal = options.signal;
      const onAbort = (): void => this.settle(entry, new RpcError(Code.CANCELLED, `${method.fullName} was cancelled`, { cause: signal?.reason }));
      signal?.addEventListener("abort", onAbort, { once: true });
      entry.cleanup = () => {
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      socket.write(serializeCommand(["CALL", method.fullName, ...words]));
    });
  }

  /** Lets outstanding calls finish (QUIT is answered after them), then closes the connection. */
  close(): Promise<void> {
    this.closed = true;
    const socket = this.socket;
    if (socket === undefined) return Promise.resolve();
    if (this.closedPromise === undefined) {
      this.closedPromise = new Promise<void>((resolve) => socket.once("close", () => resolve()));
      this.enqueue(undefined, () => undefined, () => undefined);
      socket.write(serializeCommand(["QUIT"]));
    }
    return this.closedPromise;
  }

  /** Closes the connection at once; outstanding calls reject with UNAVAILABLE. */
  destroy(): void {
    this.closed = true;
    this.socket?.destroy();
  }

  private enqueue(method: MethodDescriptor | undefined, resolve: (value: unknown) => void, reject: (error: Error) => void): PendingReply {
    const entry: PendingReply = { method, resolve, reject, settled: false, cleanup: () => undefined };
    this.pending.push(entry);
    return entry;
  }

  private settle(entry: PendingReply, outcome: Error | { value: unknown }): void {
    if (entry.settled) return;
    entry.settled = true;
    entry.cleanup();
    if (outcome instanceof Error) entry.reject(outcome);
    else entry.resolve(outcome.value);
  }

  private connection(): net.Socket {
    if (this.socket !== undefined) return this.socket;
    const socket = net.createConnection({ host: this.options.host ?? "127.0.0.1", port: this.options.port });
    socket.setNoDelay(true);
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
      }
      const error = failure ?? new RpcError(Code.UNAVAILABLE, "connection closed");
      for (const entry of this.pending.splice(0)) this.settle(entry, error);
    });
    this.socket = socket;
    // Declared exceptions as JSON fields, so they can be rebuilt exactly.
    this.enqueue(undefined, () => undefined, () => undefined);
    socket.write(serializeCommand(["RPC.ERRORS", "JSON"]));
    return socket;
  }

  private onReply(reply: RespValue): void {
    const entry = this.pending.shift();
    if (entry === undefined) throw new Error(`a reply arrived with no request waiting for it (${reply.type})`);
    if (entry.settled) return;
    const method = entry.method;
    if (method === undefined) {
      this.settle(entry, { value: undefined });
      return;
    }
    if (reply.type === "error") {
      this.settle(entry, lineToError(method, reply.value));
      return;
    }
    try {
      this.settle(entry, { value: respReplyToResult(method, reply) });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.settle(entry, new RpcError(Code.INTERNAL, `unexpected reply to ${method.fullName}: ${message}`, { cause: error }));
    }
  }
}
