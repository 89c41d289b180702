import type { Socket } from "node:net";
import { Code, RpcError } from "../../errors.js";
import type { RegisteredMethod } from "../../dispatch-contract.js";
import { runBuiltin, type RespSession } from "../../resp/builtin-commands.js";
import { readCommandArguments } from "../../resp/call-arguments.js";
import type { RespCommand } from "../../resp/resp-command.js";
import { RespOpsCommands } from "../../resp/ops-commands.js";
import { errorToLine } from "../../resp/error-reply.js";
import { OrderedReplies, type ReplySink, type ReplySlot } from "../../resp/ordered-replies.js";
import { RespProtocolError } from "../../resp/resp-parser.js";
import { RespRequestParser } from "../../resp/resp-request-parser.js";
import { resp, type RespValue, type RespVersion } from "../../resp/resp-value.js";
import { RespWriteBatch } from "../../resp/resp-write-batch.js";
import { resultToRespReply } from "../../resp/result-reply.js";
import { CallAdmission, type WaitsForRoom } from "../../server/call-admission.js";
import type { CallResponder } from "../../server/call-responder.js";
import { abortCalls, connectionClosedError, destroyAfterGrace } from "../../server/connection-close.js";
import { ReplyBacklog } from "../../server/reply-backlog.js";
import type { ServedConnection } from "../../server/served-connection.js";
import { ServerCall } from "../../server/server-call.js";
import type { ConnectionEnvironment } from "../../server/server-protocol.js";
import { listenToSocket, type SocketOwner } from "../../server/socket-owner.js";
import { UnfinishedInput } from "../../server/unfinished-input.js";
import { helloNoAuthReply, loginRefusedReply, noAuthError, noAuthReply, readLogin, type RespLogin } from "./resp-auth.js";

const noMetadata: Readonly<Record<string, string>> = Object.freeze({});

let nextConnectionId = 1;

/**
 * The server side of one RESP connection (redis-cli, Redis client libraries,
 * RespChannel). Commands are read one at a time from the parser, so the
 * connection stops taking them, and stops reading the socket, when it has no
 * room (CallAdmission, the rule every TCP protocol shares; here every reply
 * not yet written, in request order, counts as in flight) or while a login is
 * with the authenticator. Method calls go through the server's one dispatch;
 * replies are written in request order.
 *
 * A server holds many of these idle, so what only some use (the running-call
 * set, RPC.* state) is made when first needed, and the admission and reply
 * backlog call this connection's methods instead of closures it hands them.
 */
export class RespServerConnection implements ServedConnection, SocketOwner, CallResponder, WaitsForRoom {
  readonly protocol = "resp";
  readonly openedAt = Date.now();
  lastActivityAt = this.openedAt;
  handshakeDone = false;
  private readonly parser: RespRequestParser;
  private readonly batch: RespWriteBatch;
  private readonly replies: OrderedReplies;
  private readonly session: RespSession;
  /** RPC.HEALTH, and RPC.METADATA's metadata for the next call (docs/OBSERVABILITY.md); made by the first RPC.* command. */
  private ops: RespOpsCommands | undefined;
  /**
   * Calls whose handler is still running (after a promise, a guard or a deadline): aborted when the connection closes.
   * Made for the first such call; most handlers answer at once and are never added.
   */
  private running: Set<ServerCall> | undefined;
  /** The call being started: one the dispatch ends before it returns is never added to `running`. */
  private starting: ServerCall | undefined = undefined;
  /** Set after QUIT, a protocol error, goaway or close: no further command is read. */
  private stopped = false;
  private draining = false;
  private paused = false;
  private pumping = false;
  private readonly admission: CallAdmission;
  /** This connection's shares of the server's reply and input budgets. */
  private readonly replyBacklog: ReplyBacklog;
  private readonly unfinished: UnfinishedInput;
  /** An AUTH (or HELLO AUTH) is with an asynchronous authenticator: no further command starts meanwhile. */
  private loggingIn = false;
  /**
   * The method the last CALL named, by its bytes (a copy), so a client calling the
   * same method again costs no string and no table lookup. Only found methods are
   * kept: the table never drops or replaces one.
   */
  private lastCalledName: Buffer | undefined;
  private lastCalled: RegisteredMethod | undefined;

  constructor(
    private readonly socket: Socket,
    readonly peer: string,
    private readonly env: ConnectionEnvironment,
  ) {
    // A secured connection's frame limit is lowered until it authenticates; the parser keeps the full one (see tooLargeBeforeAuth).
    const maxRequestBytes = env.dispatcher.guard?.maxRequestBytes ?? env.limits.frameLimits.maxFrameBytes;
    // Declared sizes are charged against maxRequestBytes before anything is allocated.
    this.parser = new RespRequestParser({ inlineCommands: true, maxValueBytes: maxRequestBytes, maxBulkBytes: maxRequestBytes });
    this.replyBacklog = new ReplyBacklog(socket, env.replyBudget, this);
    this.admission = new CallAdmission(env.limits, this.replyBacklog, this);
    this.unfinished = new UnfinishedInput(env.inputBudget, env.logger, this, "RESP connection");
    // The write batch takes its after-flush call as a function: the one closure this connection makes.
    this.batch = new RespWriteBatch(socket, () => this.replyBacklog.flushed());
    this.replies = new OrderedReplies(new MeasuringSink(this.batch, this.admission));
    this.session = { version: 2, exceptionFormat: "text", clientName: undefined, id: nextConnectionId++, table: env.dispatcher.table };
    listenToSocket(socket, this);
  }

  /** Calls running, plus replies reserved and not yet written. */
  get inFlight(): number {
    return Math.max(this.running?.size ?? 0, this.replies.pending);
  }

  /** RESP clients know no goaway: stop reading commands, finish those in flight, then close. */
  goaway(): void {
    if (this.draining) return;
    this.draining = true;
    this.stopped = true;
    this.socket.pause();
    if (this.inFlight === 0) {
      this.env.drained(this);
      this.end();
    }
  }

  end(): void {
    this.stopped = true;
    this.batch.flush();
    this.socket.end();
    destroyAfterGrace(this.socket);
  }

  destroy(): void {
    this.batch.flush();
    this.socket.destroy();
  }

  /** Refuses the connection in Redis's words, e.g. at the connection limit. */
  refuse(reason: string): void {
    this.stopped = true;
    this.socket.end(`-ERR ${reason}\r\n`);
    destroyAfterGrace(this.socket);
  }

  // ---- CallResponder ----

  callEnded(call: ServerCall): boolean {
    if (call !== this.starting) this.running?.delete(call);
    const wanted = !call.finished && !call.method.oneway && !this.socket.destroyed;
    call.finished = true;
    if (!wanted) this.noteSettled();
    return wanted;
  }

  // A call's tag is its reply slot, which also holds the dialect it is answered in.

  replyValue(call: ServerCall, value: unknown): void {
    const slot = call.tag as ReplySlot;
    this.fill(slot, resultToRespReply(call.method, value, slot.version), slot.version);
  }

  replyException(call: ServerCall, _fieldId: number, exception: Error): void {
    const slot = call.tag as ReplySlot;
    this.fill(slot, resp.error(errorToLine(call.method, exception, slot.exceptionFormat).line), slot.version);
  }

  replyError(call: ServerCall, error: RpcError): void {
    const slot = call.tag as ReplySlot;
    this.fill(slot, errorReply(error), slot.version);
  }

  callExpired(call: ServerCall): void {
    // RESP carries no deadline, so a call never expires; kept for the contract.
    call.finished = true;
  }

  // ---- WaitsForRoom ----

  /** Replies left, or a new turn: read the commands held back. */
  roomMayHaveOpened(): void {
    if (this.paused) this.pump();
  }

  // ---- reading ----

  /** SocketOwner: a chunk arrived. */
  socketData(chunk: Buffer): void {
    // After QUIT or a protocol error nothing more is read; don't hold what keeps arriving.
    if (this.stopped) return;
    this.parser.push(chunk);
    this.admission.newTurn();
    this.pump();
    this.accountInput();
    // An unfinished request already over the limit of a connection that has not logged in.
    if (!this.loggingIn && !this.stopped && this.tooLargeBeforeAuth(this.parser.heldBytes)) return;
  }

  /** Closes a connection awaiting authentication whose request passes the small limit it lives under until then. */
  private tooLargeBeforeAuth(bytes: number): boolean {
    const guard = this.env.dispatcher.guard;
    if (guard === undefined || !guard.awaitingAuthentication || bytes <= guard.maxUnauthenticatedRequestBytes) return false;
    this.protocolError(`request larger than ${guard.maxUnauthenticatedRequestBytes} bytes before authentication`);
    return true;
  }

  /** Reports the input this connection holds; drops the connection if the server cannot afford it. */
  private accountInput(): void {
    if (this.unfinished.overBudget(this.parser.heldBytes, this.paused)) {
      this.stopped = true;
      this.socket.destroy();
    }
  }

  /** Reads and starts commands until input runs out or the connection has no room. */
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
    // One clock read per pass: the commands of one chunk arrive at the same moment.
    let now = 0;
    while (!this.stopped) {
      // Nothing left to read: whether there is room is asked when input arrives (as while a reply was pending).
      if (!this.paused && !this.parser.hasInput) {
        // The last command read is done with: the parser gives its word arrays back while idle.
        this.parser.rest();
        break;
      }
      if (!this.hasRoom()) {
        if (!this.paused) {
          this.paused = true;
          this.socket.pause();
        }
        return;
      }
      let command: RespCommand | undefined;
      try {
        command = this.parser.nextCommand();
      } catch (error) {
        this.protocolError(error instanceof RespProtocolError ? error.message : String(error));
        return;
      }
      if (command === undefined) break;
      if (this.env.dispatcher.guard?.awaitingAuthentication === true && this.tooLargeBeforeAuth(command.byteLength)) return;
      this.handshakeDone = true;
      if (now === 0) now = Date.now();
      this.lastActivityAt = now;
      this.admission.started();
      this.execute(command);
    }
    if (this.paused && !this.stopped) {
      this.paused = false;
      this.socket.resume();
    }
  }

  private hasRoom(): boolean {
    if (this.loggingIn) return false;
    return this.admission.hasRoom(this.replies.pending, this.running?.size ?? 0, this.batch.pendingBytes);
  }

  private protocolError(reason: string): void {
    this.env.logger.warn({ peer: this.peer, reason }, "closing RESP connection after a protocol error");
    this.stopped = true;
    const slot = this.replies.reserve();
    this.replies.fill(slot, resp.error(`ERR Protocol error: ${reason}`), 2, () => this.closeAfterWrite());
  }

  private closeAfterWrite(): void {
    this.stopped = true;
    this.socket.end(() => this.socket.destroy());
  }

  private execute(command: RespCommand): void {
    // The reply is written as the connection was set up when the command was read,
    // even if a pipelined HELLO or RPC.ERRORS changes that before a handler ends.
    const slot = this.replies.reserve(this.session.version, this.session.exceptionFormat);
    // CALL is nearly every command: recognised from its bytes, without decoding the name.
    if (isCall(command)) {
      if (command.count < 2) return this.fill(slot, resp.error("ERR wrong number of arguments for 'call' command"));
      const registered = this.lastCalledName !== undefined && command.wordEquals(1, this.lastCalledName) ? this.lastCalled : this.lookupCalled(command);
      return this.call(slot, registered, registered === undefined ? command.text(1) : "", command, 2);
    }
    const words = command.toWords();
    const nameText = words[0]!.toString("utf8");
    const name = nameText.toUpperCase();
    if (name === "QUIT") {
      this.stopped = true;
      this.replies.fill(slot, resp.ok, this.session.version, () => this.closeAfterWrite());
      return;
    }
    const guard = this.env.dispatcher.guard;
    if (name === "AUTH" || name === "HELLO") {
      const login = readLogin(name, words.slice(1), guard?.authenticationConfigured === true);
      if (login !== undefined) return "token" in login ? this.login(slot, login) : this.fill(slot, login);
      if (guard?.awaitingAuthentication === true) return this.fill(slot, helloNoAuthReply);
    } else if (guard?.awaitingAuthentication === true && this.env.dispatcher.lookup(nameText) === undefined) {
      // As Redis: nothing but logging in (and public methods) before authentication.
      return this.fill(slot, noAuthReply);
    }
    const builtin = runBuiltin(name, words.slice(1), this.session) ?? this.runOps(name, words);
    if (builtin !== undefined) return this.fill(slot, builtin);
    // Methods may also be called by their wire name, without CALL.
    const registered = this.env.dispatcher.lookup(nameText);
    if (registered !== undefined) return this.call(slot, registered, nameText, command, 1);
    const shown = words.slice(1, 4).map((word) => `'${word.toString("utf8").slice(0, 32)}'`).join(" ");
    this.fill(slot, resp.error(`ERR unknown command '${nameText.slice(0, 64)}', with args beginning with: ${shown}`));
  }

  /** RPC.HEALTH and RPC.METADATA; undefined for any other command. */
  private runOps(name: string, words: readonly Buffer[]): RespValue | undefined {
    if (!name.startsWith("RPC.")) return undefined;
    return (this.ops ??= new RespOpsCommands()).run(name, words, this.env);
  }

  /** The method a CALL names (its second word; undefined if the server has none), remembered for the next CALL. */
  private lookupCalled(command: RespCommand): RegisteredMethod | undefined {
    const registered = this.env.dispatcher.lookup(command.text(1));
    if (registered !== undefined) {
      // A copy: the name lies in a socket chunk that should not be held.
      this.lastCalledName = Buffer.from(command.word(1));
      this.lastCalled = registered;
    }
    return registered;
  }

  /** `fullName` is the method's name as the command gave it, for the error when `registered` is undefined. */
  private call(slot: ReplySlot, registered: RegisteredMethod | undefined, fullName: string, command: RespCommand, firstArgument: number): void {
    const dispatcher = this.env.dispatcher;
    const metadata = this.ops?.take() ?? noMetadata;
    // A call with no credentials of its own (RPC.METADATA) before AUTH is refused here, in Redis's words,
    // whether or not the method exists (an unauthenticated client learns nothing of the methods);
    // counted and traced as the dispatch's refusals are (it has no metadata to join a trace by).
    const guard = dispatcher.guard;
    const awaitingAuthentication = metadata === noMetadata && guard !== undefined && guard.awaitingAuthentication;
    if (registered === undefined) {
      if (awaitingAuthentication) {
        dispatcher.refusedEarly(undefined, fullName, this.protocol, this.peer, noAuthError);
        return this.fill(slot, noAuthReply);
      }
      // RPC.METADATA's entries (a traceparent) let the refusal's span join the caller's trace.
      return this.fill(slot, errorReply(dispatcher.unknownMethod(fullName, false, this.peer, this.protocol, metadata)));
    }
    if (awaitingAuthentication && !guard.isPublic(registered)) {
      dispatcher.refusedEarly(registered.method, registered.method.fullName, this.protocol, this.peer, noAuthError);
      return this.fill(slot, noAuthReply);
    }
    const method = registered.method;
    const call = new ServerCall(registered.service, method, 0, undefined, metadata, this.peer, this.protocol, this);
    call.tag = slot;
    this.starting = call;
    try {
      this.start(registered, call, command, firstArgument);
    } finally {
      this.starting = undefined;
    }
    // Most handlers answer at once; only a call still running is tracked (and counted in inFlight).
    if (!call.finished) (this.running ??= new Set()).add(call);
  }

  private start(registered: RegisteredMethod, call: ServerCall, command: RespCommand, firstArgument: number): void {
    const dispatcher = this.env.dispatcher;
    const slot = call.tag as ReplySlot;
    if (call.method.oneway) {
      // A oneway call is acknowledged when it is read; its handler's outcome is only logged.
      this.fill(slot, resp.ok, slot.version);
    }
    let args: unknown[];
    try {
      args = readCommandArguments(call.method, command, firstArgument);
    } catch (error) {
      dispatcher.refuse(call, this.badArguments(registered, error));
      return;
    }
    dispatcher.run(registered, call, args);
  }

  /** AUTH or HELLO AUTH: the reply is OK (or HELLO's) once the guard accepts the credentials, WRONGPASS if not. */
  private login(slot: ReplySlot, login: RespLogin): void {
    const verdict = this.env.dispatcher.guard!.login(login.username, login.token);
    const answer = (settled: true | RpcError): void => {
      if (settled !== true) return this.fill(slot, loginRefusedReply(settled));
      const hello = login.helloArgs === undefined ? undefined : runBuiltin("HELLO", login.helloArgs, this.session);
      this.fill(slot, hello ?? resp.ok);
    };
    if (!(verdict instanceof Promise)) return answer(verdict);
    this.loggingIn = true;
    const settle = (settled: true | RpcError): void => {
      this.loggingIn = false;
      answer(settled);
      if (this.paused) this.pump();
    };
    verdict.then(settle, () => settle(new RpcError(Code.UNAUTHENTICATED, "authentication failed")));
  }

  private badArguments(registered: RegisteredMethod, error: unknown): RpcError {
    return this.env.dispatcher.badArguments(registered, error);
  }

  // ---- writing ----

  private fill(slot: ReplySlot, value: RespValue, version: RespVersion = this.session.version): void {
    this.replies.fill(slot, value, version);
    if (!this.noteSettled() && this.paused) this.pump();
  }

  /** Once nothing is left in flight: the connection is idle from now, and a draining one closes. True if it closed. */
  private noteSettled(): boolean {
    if (this.replies.pending !== 0 || (this.running !== undefined && this.running.size !== 0)) return false;
    // While commands are being read, the pass's clock reading (pumpCommands) is now enough.
    if (!this.pumping) this.lastActivityAt = Date.now();
    if (!this.draining) return false;
    this.env.drained(this);
    this.end();
    return true;
  }

  /** SocketOwner: the socket closed. */
  socketClosed(): void {
    this.stopped = true;
    this.replies.clear();
    if (this.running !== undefined) {
      abortCalls(this.running, connectionClosedError(this.peer));
      this.running.clear();
    }
    this.replyBacklog.release();
    this.unfinished.release();
  }
}

/** The write batch as the reply order sees it, noting how large replies are (an object, not a pair of closures per connection). */
class MeasuringSink implements ReplySink {
  constructor(
    private readonly batch: RespWriteBatch,
    private readonly admission: CallAdmission,
  ) {}

  value(value: RespValue, version: RespVersion): void {
    const batch = this.batch;
    const before = batch.pendingBytes;
    batch.value(value, version);
    this.admission.replyQueued(batch.pendingBytes - before);
  }

  flush(): void {
    this.batch.flush();
  }
}

/** An error reply: the code, then the message, as RespChannel and people read it. */
function errorReply(error: RpcError): RespValue {
  return resp.error(`${error.code} ${error.message}`);
}

/** True when the command's first word is `CALL`, in any letter case. */
function isCall(command: RespCommand): boolean {
  // `| 0x20` folds ASCII upper case to lower case.
  return (
    command.wordLength(0) === 4 &&
    (command.byteAt(0, 0) | 0x20) === 0x63 &&
    (command.byteAt(0, 1) | 0x20) === 0x61 &&
    (command.byteAt(0, 2) | 0x20) === 0x6c &&
    (command.byteAt(0, 3) | 0x20) === 0x6c
  );
}
