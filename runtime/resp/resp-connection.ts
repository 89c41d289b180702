import type net from "node:net";
import type { CallContext } from "../call.js";
import type { MethodTable, RegisteredMethod } from "../dispatch-contract.js";
import { Code, RpcError } from "../errors.js";
import { defaultLogger } from "../logger.js";
import { runBuiltin, type RespSession } from "./builtin-commands.js";
import { readRespArguments } from "./call-arguments.js";
import { RespConversionError } from "./resp-conversion-error.js";
import { errorToLine, type ErrorLine, type ExceptionFormat } from "./error-reply.js";
import { OrderedReplies, type ReplySlot } from "./ordered-replies.js";
import { RespParser, RespProtocolError } from "./resp-parser.js";
import { resp, type RespValue, type RespVersion } from "./resp-value.js";
import { RespWriteBatch } from "./resp-write-batch.js";
import { resultToRespReply } from "./result-reply.js";

/** Where a RESP connection reports what its peer cannot see. */
export interface RespLogger {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug?(...args: unknown[]): void;
}

export interface RespServerOptions {
  /** Default: the runtime's default logger (pino, warnings and errors to stderr). */
  logger?: RespLogger;
  /** Largest request (one command with all its arguments), in bytes. Default 64 MiB. */
  maxRequestBytes?: number;
  /** Replies that may be outstanding before the connection stops reading. Default 1024. */
  maxPipelined?: number;
  /** Bytes queued in the socket before the connection stops reading. Default 4 MiB. */
  maxBufferedReplyBytes?: number;
  /** `host:port` of the peer, for CallContext and logs; read from the socket if not given. */
  peer?: string;
}

let nextConnectionId = 1;

/** Serves one RESP connection until it closes. The first chunk has been unshifted back onto the socket. */
export function handleRespConnection(socket: net.Socket, table: MethodTable, options: RespServerOptions = {}): void {
  new RespConnection(socket, table, options).start();
}

class RespConnection {
  private readonly socket: net.Socket;
  private readonly table: MethodTable;
  private readonly logger: RespLogger;
  private readonly maxPipelined: number;
  private readonly maxBufferedReplyBytes: number;
  private readonly peer: string;
  private readonly parser: RespParser;
  private readonly batch: RespWriteBatch;
  private readonly replies: OrderedReplies;
  private readonly session: RespSession;
  private readonly abort = new AbortController();
  /** Set after QUIT, a protocol error or close: no further command is read. */
  private stopped = false;
  private paused = false;
  private pumping = false;

  constructor(socket: net.Socket, table: MethodTable, options: RespServerOptions) {
    this.socket = socket;
    this.table = table;
    this.logger = options.logger ?? defaultLogger();
    this.maxPipelined = options.maxPipelined ?? 1024;
    this.maxBufferedReplyBytes = options.maxBufferedReplyBytes ?? 4 * 1024 * 1024;
    this.peer = options.peer ?? `${socket.remoteAddress ?? "unknown"}:${socket.remotePort ?? 0}`;
    const maxRequestBytes = options.maxRequestBytes ?? 64 * 1024 * 1024;
    this.parser = new RespParser({ inlineCommands: true, maxValueBytes: maxRequestBytes, maxBulkBytes: maxRequestBytes });
    // A flush may leave the socket with room again and no "drain" to say so.
    this.batch = new RespWriteBatch(socket, () => {
      if (this.paused) this.pump();
    });
    this.replies = new OrderedReplies(this.batch);
    this.session = { version: 2, exceptionFormat: "text", clientName: undefined, id: nextConnectionId++, table };
  }

  start(): void {
    this.socket.on("data", (chunk: Buffer) => {
      // After QUIT or a protocol error nothing more is read; don't hold what keeps arriving.
      if (this.stopped) return;
      this.parser.push(chunk);
      this.pump();
    });
    this.socket.on("drain", () => this.pump());
    this.socket.on("error", (error) => this.logger.debug?.({ peer: this.peer, err: error }, "resp connection error"));
    this.socket.on("close", () => {
      this.stopped = true;
      this.replies.clear();
      this.abort.abort(new RpcError(Code.CANCELLED, "connection closed"));
    });
  }

  /** Reads and starts commands until input runs out or back-pressure says stop. */
  private pump(): void {
    // Replies filled while pumping would call back in here; the running loop covers them.
    if (this.pumping) return;
    this.pumping = true;
    try {
      this.pumpCommands();
    } finally {
      this.pumping = false;
    }
  }

  private pumpCommands(): void {
    while (!this.stopped) {
      if (this.replies.pending >= this.maxPipelined || this.batch.pendingBytes >= this.maxBufferedReplyBytes) {
        if (!this.paused) {
          this.paused = true;
          this.socket.pause();
        }
        return;
      }
      let command: RespValue | undefined;
      try {
        command = this.parser.next();
      } catch (error) {
        this.protocolError(error instanceof RespProtocolError ? error.message : String(error));
        return;
      }
      if (command === undefined) break;
      this.execute(command);
    }
    if (this.paused && !this.stopped) {
      this.paused = false;
      this.socket.resume();
    }
  }

  private protocolError(reason: string): void {
    this.logger.warn({ peer: this.peer, reason }, "closing RESP connection after a protocol error");
    this.stopped = true;
    const slot = this.replies.reserve();
    this.replies.fill(slot, resp.error(`ERR Protocol error: ${reason}`), 2, () => this.closeAfterWrite());
  }

  private closeAfterWrite(): void {
    this.stopped = true;
    this.socket.end(() => this.socket.destroy());
  }

  private execute(command: RespValue): void {
    // Redis skips empty and null multibulks rather than failing on them.
    if (command.type === "null" || (command.type === "array" && command.value.length === 0)) return;
    const words = command.type === "array" ? bulkWords(command.value) : undefined;
    if (words === undefined) {
      this.protocolError(`expected a command as an array of bulk strings, got ${describeCommand(command)}`);
      return;
    }
    const slot = this.replies.reserve();
    // CALL is nearly every command: recognised from its bytes, without decoding the name.
    if (isCall(words[0]!)) {
      if (words.length < 2) return this.reply(slot, resp.error("ERR wrong number of arguments for 'call' command"));
      return this.call(slot, words[1]!.toString("utf8"), words.slice(2));
    }
    const nameText = words[0]!.toString("utf8");
    const name = nameText.toUpperCase();
    if (name === "QUIT") {
      this.stopped = true;
      this.replies.fill(slot, resp.ok, this.session.version, () => this.closeAfterWrite());
      return;
    }
    const builtin = runBuiltin(name, words.slice(1), this.session);
    if (builtin !== undefined) return this.reply(slot, builtin);
    // Methods may also be called by their wire name, without CALL.
    if (this.table.lookup(nameText)) return this.call(slot, nameText, words.slice(1));
    const shown = words.slice(1, 4).map((word) => `'${word.toString("utf8").slice(0, 32)}'`).join(" ");
    this.reply(slot, resp.error(`ERR unknown command '${nameText.slice(0, 64)}', with args beginning with: ${shown}`));
  }

  private reply(slot: ReplySlot, value: RespValue, version: RespVersion = this.session.version): void {
    this.replies.fill(slot, value, version);
    if (this.paused) this.pump();
  }

  private call(slot: ReplySlot, fullName: string, rawArgs: readonly Buffer[]): void {
    const registered = this.table.lookup(fullName);
    if (registered === undefined) return this.reply(slot, resp.error(`${Code.UNIMPLEMENTED} unknown method ${fullName}`));
    let args: unknown[];
    try {
      args = readRespArguments(registered.method, rawArgs);
    } catch (error) {
      if (error instanceof RespConversionError) return this.reply(slot, resp.error(`${Code.INVALID_ARGUMENT} ${error.message}`));
      // Thrown from a socket "data" listener it would be uncaught and end the process; answer this call instead.
      this.logger.error({ peer: this.peer, method: fullName, err: error }, "reading RESP call arguments failed");
      return this.reply(slot, resp.error(`${Code.INTERNAL} internal error`));
    }
    const context: CallContext = {
      service: registered.service,
      method: registered.method,
      deadline: undefined,
      signal: this.abort.signal,
      metadata: {},
      peer: this.peer,
    };
    if (registered.method.oneway) {
      this.reply(slot, resp.ok);
      registered.invoke(args, context).catch((error: unknown) => this.logHandlerError(registered, error));
      return;
    }
    // The reply is written as the connection was set up when the call was read,
    // even if a pipelined HELLO or RPC.ERRORS changes that before the handler ends.
    const { version, exceptionFormat } = this.session;
    registered.invoke(args, context).then(
      (value) => this.reply(slot, this.successReply(registered, value, version), version),
      (error: unknown) => this.reply(slot, this.errorReply(registered, error, exceptionFormat), version),
    );
  }

  private successReply(registered: RegisteredMethod, value: unknown, version: RespVersion): RespValue {
    try {
      return resultToRespReply(registered.method, value, version);
    } catch (error) {
      // The handler returned something its IDL type does not allow: the server's bug, not the caller's.
      this.logHandlerError(registered, error);
      return resp.error(`${Code.INTERNAL} internal error`);
    }
  }

  private errorReply(registered: RegisteredMethod, thrown: unknown, format: ExceptionFormat): RespValue {
    let described: ErrorLine;
    try {
      described = errorToLine(registered.method, thrown, format);
    } catch (error) {
      described = { line: `${Code.INTERNAL} internal error`, hidden: error };
    }
    if (described.hidden !== undefined) this.logHandlerError(registered, described.hidden);
    return resp.error(described.line);
  }

  private logHandlerError(registered: RegisteredMethod, error: unknown): void {
    this.logger.error({ peer: this.peer, method: registered.method.fullName, err: error }, "handler failed");
  }
}

/** True for `CALL` in any letter case. */
function isCall(word: Buffer): boolean {
  // `| 0x20` folds ASCII upper case to lower case.
  return word.length === 4 && (word[0]! | 0x20) === 0x63 && (word[1]! | 0x20) === 0x61 && (word[2]! | 0x20) === 0x6c && (word[3]! | 0x20) === 0x6c;
}

/** The words of a command, or undefined if one of them is not a bulk string. */
function bulkWords(items: readonly RespValue[]): Buffer[] | undefined {
  const words: Buffer[] = [];
  for (const item of items) {
    if (item.type !== "bulk") return undefined;
    words.push(item.value);
  }
  return words;
}

function describeCommand(value: RespValue): string {
  if (value.type !== "array") return `a ${value.type}`;
  return `an array holding a ${value.value.find((word) => word.type !== "bulk")?.type ?? "bulk"}`;
}
