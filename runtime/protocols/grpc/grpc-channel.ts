import { EventEmitter } from "node:events";
import { connect, constants, type ClientHttp2Session, type OutgoingHttpHeaders } from "node:http2";
import type { CallOptions } from "../../call.js";
import { binaryCodec } from "../../codec/binary-codec.js";
import { ReconnectBackoff } from "../../client/reconnect-backoff.js";
import { sharedDeadlineWheel } from "../../deadline/shared-deadline-wheel.js";
import type { MethodDescriptor, ServiceDescriptor } from "../../descriptor.js";
import { Code, RpcError } from "../../errors.js";
import type { ProviderTransport } from "../../governance/provider-transport.js";
import { defaultLogger, type Logger } from "../../logger.js";
import { parseAddress } from "../../transport/address.js";
import { protoIdentifier, rpcPath } from "../http/rpc-paths.js";
import { GrpcClientCall } from "./grpc-client-call.js";
import { framedMessage } from "./grpc-message.js";
import { formatGrpcTimeout } from "./grpc-timeout.js";

/** Options of a GrpcChannel. */
export interface GrpcChannelOptions {
  /** The gRPC server, `host:port` (cleartext HTTP/2 with prior knowledge). */
  address: string;
  /**
   * The services called through this channel, so that a method inherited from a
   * service in another IDL file is sent to the child service's path. Without it
   * the path is `/<package of the method's args>.<Service>/<method>`, right for
   * every method a service declares itself.
   */
  services?: readonly ServiceDescriptor[];
  /** Deadline of calls whose options and method hints set none. Default 30000; 0 means none. */
  defaultTimeoutMs?: number;
  /** Default 5000. */
  connectTimeoutMs?: number;
  /** Largest response message accepted. Default 4 MiB, as grpc-js's. */
  maxMessageBytes?: number;
  /** Wait before reconnecting after a failed connection: doubles from baseMs up to maxMs. Default 100 / 10000. */
  reconnect?: { baseMs: number; maxMs: number };
  logger?: Logger;
}

/** Events: "connected" (address), "disconnected" (address, error?), "goaway" (address). */
export interface GrpcChannelEvents {
  connected: [address: string];
  disconnected: [address: string, error: RpcError | undefined];
  goaway: [address: string];
}

/** Headers of gRPC and HTTP/2 themselves, which call metadata may not set. */
const reservedMetadataKeys = new Set(["content-type", "te", "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "host"]);
/** An HTTP header name (lower case) and a gRPC ASCII-Value: anything else would make node:http2 drop the whole session. */
const metadataKeyPattern = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
const metadataValuePattern = /^[\x20-\x7e]*$/;

/** Metadata as request headers; throws INVALID_ARGUMENT for a name or value HTTP/2 cannot carry. */
function addMetadata(headers: OutgoingHttpHeaders, metadata: Readonly<Record<string, string>>, method: MethodDescriptor): void {
  for (const key of Object.keys(metadata)) {
    const name = key.toLowerCase();
    const value = metadata[key]!;
    if (!metadataKeyPattern.test(name) || !metadataValuePattern.test(value)) {
      throw new RpcError(Code.INVALID_ARGUMENT, `${method.fullName}: metadata ${JSON.stringify(key.slice(0, 50))} is not an HTTP header name with a printable ASCII value`);
    }
    if (!name.startsWith("grpc-") && !reservedMetadataKeys.has(name)) headers[name] = value;
  }
}

/**
 * The Invoker of the generated `XClient` for an existing gRPC server (grpc-js,
 * grpc-go, grpc-java…) serving the `.proto` rpcgen generates from the same IDL:
 * unary calls over one HTTP/2 connection, the deadline as `grpc-timeout`,
 * metadata as headers, a status as an RpcError of the same code, and a
 * declared exception in `grpc-status-details-bin` as an instance of its
 * generated class. It is a ProviderTransport, so governance (discovery,
 * balancing, failover, breakers) works over it as over a Channel.
 */
export class GrpcChannel extends EventEmitter<GrpcChannelEvents> implements ProviderTransport {
  readonly address: string;
  /** The deadline and the caller's signal are enforced here, on the shared deadline wheel. */
  readonly enforcesCallLimits = true;
  private readonly authority: string;
  private readonly paths = new Map<MethodDescriptor, string>();
  private readonly defaultTimeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly maxMessageBytes: number;
  private readonly backoff: ReconnectBackoff;
  private readonly logger: Logger;
  private session: ClientHttp2Session | undefined;
  private pending = 0;
  private closing: Promise<void> | undefined;

  constructor(options: GrpcChannelOptions) {
    super();
    const { host, port } = parseAddress(options.address);
    this.address = options.address;
    this.authority = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? 30_000;
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    this.maxMessageBytes = options.maxMessageBytes ?? 4 * 1024 * 1024;
    const reconnect = options.reconnect ?? { baseMs: 100, maxMs: 10_000 };
    this.backoff = new ReconnectBackoff(reconnect.baseMs, reconnect.maxMs);
    this.logger = options.logger ?? defaultLogger();
    for (const service of options.services ?? []) {
      for (const method of Object.values(service.methods)) this.paths.set(method, rpcPath(service, method.name));
    }
  }

  /** Calls sent and not answered yet. */
  get pendingCalls(): number {
    return this.pending;
  }

  invoke(method: MethodDescriptor, args: readonly unknown[], options?: CallOptions): Promise<unknown> {
    const signal = options?.signal;
    if (signal?.aborted) return Promise.reject(new RpcError(Code.CANCELLED, `${method.fullName} was cancelled`, { cause: signal.reason }));
    if (this.closing !== undefined) return Promise.reject(new RpcError(Code.UNAVAILABLE, `channel to ${this.address} is closed`));
    const timeoutMs = options?.timeoutMs ?? method.hints.timeoutMs ?? this.defaultTimeoutMs;
    if (!(timeoutMs >= 0)) {
      return Promise.reject(new RpcError(Code.INVALID_ARGUMENT, `${method.fullName}: timeoutMs must be a number >= 0 (0 or Infinity for none), got ${timeoutMs}`));
    }
    let frame: Buffer;
    let session: ClientHttp2Session;
    try {
      const body = binaryCodec.encodeArgsDeferred(method, args);
      frame = framedMessage(body.byteLength, (target, offset) => body.copyTo(target, offset));
      session = this.connected();
    } catch (error) {
      return Promise.reject(error);
    }
    const headers: OutgoingHttpHeaders = {
      ":method": "POST",
      ":path": this.pathOf(method),
      "content-type": "application/grpc",
      te: "trailers",
      "grpc-accept-encoding": "identity,gzip",
    };
    const hasDeadline = timeoutMs > 0 && Number.isFinite(timeoutMs);
    if (hasDeadline) headers["grpc-timeout"] = formatGrpcTimeout(timeoutMs);
    if (options?.metadata !== undefined) {
      try {
        addMetadata(headers, options.metadata, method);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return new Promise((resolve, reject) => {
      let stream;
      try {
        stream = session.request(headers);
      } catch (error) {
        return reject(new RpcError(Code.UNAVAILABLE, `${method.fullName}: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
      }
      if (this.pending++ === 0) session.ref();
      const call = new GrpcClientCall(method, stream, this.maxMessageBytes, resolve, reject, this.callSettled);
      if (hasDeadline) {
        call.deadlineAt = Date.now() + timeoutMs;
        sharedDeadlineWheel.add(call);
      }
      if (signal !== undefined) call.watch(signal);
      stream.end(frame);
    });
  }

  /** An idle session must not keep the process alive; one with calls in flight does. */
  private readonly callSettled = (): void => {
    if (--this.pending === 0) this.session?.unref();
  };

  /** An HTTP/2 PING round trip (circuit breakers probe with it). */
  ping(options: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<number> {
    return new Promise((resolve, reject) => {
      let session: ClientHttp2Session;
      try {
        session = this.connected();
      } catch (error) {
        return reject(error);
      }
      const timer = setTimeout(() => reject(new RpcError(Code.DEADLINE_EXCEEDED, `ping to ${this.address} timed out`)), options.timeoutMs ?? 5000);
      const started = performance.now();
      const send = (): void => {
        session.ping((error) => {
          clearTimeout(timer);
          if (error !== null) reject(RpcError.from(error, Code.UNAVAILABLE));
          else resolve(performance.now() - started);
        });
      };
      if (session.connecting) session.once("connect", send);
      else send();
    });
  }

  /** Graceful: calls in flight finish, new ones fail UNAVAILABLE. */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      const session = this.session;
      if (session === undefined || session.destroyed) return resolve();
      session.close(() => resolve());
    });
    return this.closing;
  }

  /** The open session, or a new one; throws UNAVAILABLE while reconnecting is backed off. */
  private connected(): ClientHttp2Session {
    const current = this.session;
    if (current !== undefined && !current.closed && !current.destroyed) return current;
    const wait = this.backoff.remainingMs();
    if (wait > 0) {
      throw new RpcError(Code.UNAVAILABLE, `${this.address} is unreachable (next attempt in ${Math.ceil(wait)} ms): ${this.backoff.lastError?.message ?? ""}`);
    }
    const session = connect(this.authority, { settings: { enablePush: false } });
    this.session = session;
    const timer = setTimeout(() => session.destroy(new RpcError(Code.UNAVAILABLE, `connecting to ${this.address} timed out`)), this.connectTimeoutMs);
    timer.unref();
    let failure: RpcError | undefined;
    let reached = false;
    session.once("connect", () => {
      reached = true;
      clearTimeout(timer);
      this.backoff.succeeded();
      this.emit("connected", this.address);
    });
    session.on("error", (error) => {
      failure = RpcError.from(error, Code.UNAVAILABLE);
      this.logger.debug({ address: this.address, err: error.message }, "gRPC connection error");
    });
    session.on("goaway", (code: number) => {
      // The server is going away: calls it took finish; new ones go on a new connection (or elsewhere).
      if (this.session === session) this.session = undefined;
      if (code === constants.NGHTTP2_NO_ERROR) this.emit("goaway", this.address);
    });
    session.once("close", () => {
      clearTimeout(timer);
      if (this.session === session) this.session = undefined;
      // Only a connection that never came up backs off; a lost one is retried at once.
      if (!reached) this.backoff.failed(failure ?? new RpcError(Code.UNAVAILABLE, `cannot connect to ${this.address}`));
      this.emit("disconnected", this.address, failure);
    });
    if (this.pending === 0) session.unref();
    return session;
  }

  private pathOf(method: MethodDescriptor): string {
    let path = this.paths.get(method);
    if (path === undefined) {
      const dot = method.args.name.lastIndexOf(".");
      path = `/${protoIdentifier(method.args.name.slice(0, dot))}.${protoIdentifier(method.service)}/${protoIdentifier(method.name)}`;
      this.paths.set(method, path);
    }
    return path;
  }
}
