import cluster from "node:cluster";
import { EventEmitter } from "node:events";
import { createServer, type Server as NetServer, type Socket } from "node:net";
import type { ServiceRegistrar } from "../call.js";
import type { ServiceDescriptor } from "../descriptor.js";
import type { Logger } from "../logger.js";
import { MethodOffloader } from "../offload/method-offloader.js";
import { ServerObservability } from "../observability/server-observability.js";
import { ServerSecurity } from "../security/server-security.js";
import type { ServerTlsOptions } from "../security/server-tls-options.js";
import { formatAddress, type HostPort } from "../transport/address.js";
import { builtinProtocols } from "./builtin-protocols.js";
import { ConcurrencyLimit } from "./concurrency-limit.js";
import { ConnectionTracker } from "./connection-tracker.js";
import { Dispatcher } from "./dispatch.js";
import { MemoryBudget } from "./memory-budget.js";
import { isUndetected, ProtocolDetector } from "./protocol-detector.js";
import { resolveServerLimits, type ServerLimits, type ServerOptions } from "./server-options.js";
import type { ConnectionEnvironment, ServerProtocol } from "./server-protocol.js";
import { runSocketCloseHook } from "./socket-close-hook.js";
import { ServiceTable } from "./service-table.js";
import { runWorkerPrimary, type WorkerPrimary, serveAsWorker } from "./worker-cluster.js";

export type { ServerOptions } from "./server-options.js";

/** Where and how to listen. */
export interface ListenOptions {
  host?: string;
  port?: number;
  /**
   * Serve from this many worker processes sharing the port (node:cluster). The
   * primary process re-runs the program's entry script in each worker, so the
   * code that builds the server and calls `listen` runs there too and must do so
   * the same way; see {@link Server.listen}.
   */
  workers?: number;
}

/** Options of a graceful close. */
export interface CloseOptions {
  /** How long calls in flight may take to finish before connections are cut. Default 10000. */
  graceMs?: number;
}

/** Events: "worker-online" (pid) and "worker-exit" (pid, exit code, signal) in a cluster primary. */
export interface ServerEvents {
  "worker-online": [pid: number];
  "worker-exit": [pid: number, code: number | null, signal: string | null];
}

/**
 * An RPC server: every protocol the port speaks (rpcgen's binary frames with JSON
 * or protobuf bodies, and RESP) on one port, told apart by a connection's first
 * bytes, all served through one dispatch and one set of limits.
 *
 * ```ts
 * const server = new Server({ maxInFlightPerConnection: 500 });
 * server.addService(CalculatorService, new CalculatorHandlerImpl());
 * const { port } = await server.listen({ host: "0.0.0.0", port: 9090 });
 * installShutdownSignals(server);
 * ```
 */
export class Server extends EventEmitter<ServerEvents> implements ServiceRegistrar {
  private readonly table: ServiceTable;
  private readonly offloader: MethodOffloader;
  private readonly limits: ServerLimits;
  private readonly logger: Logger;
  private readonly tracker: ConnectionTracker;
  private readonly env: ConnectionEnvironment;
  private readonly detector: ProtocolDetector;
  /** TLS and authentication; undefined when the options ask for neither (see docs/SECURITY.md). */
  private readonly security: ServerSecurity | undefined;
  /** Health, metrics, tracing, call logs and reflection of this server (docs/OBSERVABILITY.md). */
  readonly observability: ServerObservability;
  /** Set by close(): readiness is off from then on, even before `closing` (see ObservabilityOptions.drainDelayMs). */
  private closeRequested: Promise<void> | undefined;
  private netServer: NetServer | undefined;
  private closing: Promise<void> | undefined;
  private primary: WorkerPrimary | undefined;
  private sweeping = false;
  /** Set while closing: re-checks whether every connection has drained. */
  private onDrained: (() => void) | undefined;
  /**
   * The error and close listeners of every socket the server accepts: two
   * functions for the whole server (`this` in them is the socket), not closures
   * per connection, which would cost each idle connection their bytes.
   */
  private readonly socketFailed: (this: Socket, error: Error) => void;
  private readonly socketClosed: (this: Socket) => void;

  constructor(options: ServerOptions = {}, protocols: readonly ServerProtocol[] = builtinProtocols) {
    super();
    this.limits = resolveServerLimits(options);
    this.logger = this.limits.logger;
    this.offloader = new MethodOffloader(options.offload, this.logger);
    this.table = new ServiceTable(this.offloader);
    this.tracker = new ConnectionTracker(this.limits, this.logger);
    this.observability = new ServerObservability(options.observability ?? {}, this.logger);
    const server = this;
    this.env = {
      dispatcher: new Dispatcher(
        this.observability.methodTable(this.table),
        this.logger,
        this.limits.exposeErrorDetails,
        [...this.observability.interceptors, ...this.limits.interceptors],
        this.observability.dispatchObserver,
      ),
      observability: this.observability,
      limits: this.limits,
      logger: this.logger,
      replyBudget: new MemoryBudget(this.limits.maxServerPendingBytes),
      inputBudget: new MemoryBudget(this.limits.maxServerInputBytes),
      inflates: new ConcurrencyLimit(this.limits.maxServerInflates),
      get closing() {
        return server.closing !== undefined;
      },
      drained: () => this.onDrained?.(),
    };
    this.observability.attach({ connections: this.tracker, replyBudget: this.env.replyBudget });
    this.security = ServerSecurity.create(options, this.logger);
    // With TLS the port first asks whether a connection is a TLS handshake; the protocols then run inside it.
    const portProtocols =
      this.security === undefined
        ? protocols
        : this.security.portProtocols(protocols, this.env, (protocol, socket, peer, env, refusal) =>
            protocol.serve(socket, peer, env, refusal ?? (this.closing !== undefined ? "server is shutting down" : undefined)),
          );
    this.detector = new ProtocolDetector(portProtocols, this.logger);
    this.socketFailed = function (this: Socket, error: Error): void {
      server.logger.debug({ peer: peerOf(this), err: error.message }, "connection error");
    };
    this.socketClosed = function (this: Socket): void {
      server.connectionClosed(this);
    };
  }

  /** True when the port speaks TLS (publishServer then advertises `tls: "true"` in the registry). */
  get tlsEnabled(): boolean {
    return this.security?.tlsEnabled ?? false;
  }

  /**
   * Loads the TLS certificate again: from the configured files, or from `options`
   * (which replace the TLS options). New handshakes use it; connections already
   * open, and their calls, are not touched. Files are also reloaded on their own
   * when they change and on SIGHUP (see ServerTlsOptions). Returns true when the
   * certificate changed. A failed reload from the files keeps the old certificate
   * (logged); with `options` it throws.
   */
  reloadTls(options?: ServerTlsOptions): boolean {
    const store = this.security?.store;
    if (store === undefined) throw new Error("this server has no TLS to reload");
    return store.reload(options);
  }

  /** Registers a handler for a service; throws if a method is missing or the service is already registered. */
  addService(service: ServiceDescriptor, handler: object): void {
    this.table.add(service, handler);
  }

  /** Connections currently open, every protocol counted (and those whose protocol is not known yet). */
  get connectionCount(): number {
    return this.tracker.size;
  }

  /**
   * Starts serving and resolves with the bound address (useful with port 0).
   *
   * With `workers: N`, the process that calls it becomes a node:cluster primary:
   * it forks N workers that re-run the same entry script (compiled JS or run
   * through tsx alike), whose own `listen` call then serves the shared port;
   * the primary itself serves nothing. A worker that dies is restarted unless
   * the server is closing, and `close()` in the primary closes every worker
   * gracefully. Keep the build-and-listen code unconditional, as in
   * `main(); async function main() { const s = new Server(); s.addService(...); await s.listen({ port, workers: 4 }); }`.
   */
  async listen(options: ListenOptions = {}): Promise<HostPort> {
    if (this.netServer !== undefined || this.primary !== undefined) throw new Error("server is already listening");
    const host = options.host ?? "127.0.0.1";
    const port = options.port ?? 0;
    const workers = options.workers ?? 0;
    if (workers > 0 && cluster.isPrimary) {
      this.primary = runWorkerPrimary(workers, this.logger, this);
      // The workers serve TLS and reload it themselves; the primary passes the reload signal on.
      this.security?.startAsPrimary();
      return this.primary.ready;
    }
    const netServer = createServer({ noDelay: true }, (socket) => this.onConnection(socket));
    this.netServer = netServer;
    // Offload threads load their handler modules first: a module that cannot load fails listen, not the first call.
    await this.offloader.start();
    await new Promise<void>((resolve, reject) => {
      netServer.once("error", reject);
      netServer.listen({ host, port }, () => {
        netServer.off("error", reject);
        resolve();
      });
    });
    netServer.on("error", (error) => this.logger.error({ err: error }, "server socket error"));
    this.security?.start();
    this.startSweeping();
    if (cluster.isWorker) serveAsWorker(this);
    const address = netServer.address();
    if (address === null || typeof address === "string") return { host, port };
    return { host: address.address, port: address.port };
  }

  /**
   * Graceful shutdown: stops accepting, tells every connection to take no new
   * calls (binary clients get goaway and send new calls elsewhere; RESP
   * connections stop reading), lets calls in flight finish for up to `graceMs`
   * and write their replies, then closes whatever is left. Resolves when
   * everything is closed.
   */
  close(options: CloseOptions = {}): Promise<void> {
    // Readiness turns NOT_SERVING first; the shutdown itself may wait ObservabilityOptions.drainDelayMs.
    this.closeRequested ??= this.observability.beginShutdown(() => (this.closing ??= this.shutdown(options.graceMs ?? 10_000)));
    return this.closeRequested;
  }

  private async shutdown(graceMs: number): Promise<void> {
    if (this.primary !== undefined) {
      this.security?.stop();
      await this.primary.close(graceMs);
      return;
    }
    const netServer = this.netServer;
    this.tracker.stopSweeping();
    this.security?.stop();
    const closed = new Promise<void>((resolve) => (netServer === undefined ? resolve() : netServer.close(() => resolve())));
    this.tracker.goawayAll();
    const drained = this.whenDrained();
    const grace = setTimeout(() => this.tracker.destroyAll(), graceMs);
    await drained;
    // Each connection writes the replies of its last calls before its socket ends.
    this.tracker.endAll();
    await closed;
    clearTimeout(grace);
    // net.Server reports "closed" a tick before the sockets' own close events.
    this.tracker.clear();
    // Every call has ended, offloaded ones included: the offload threads can stop.
    await this.offloader.close();
  }

  /** Resolves when no connection has a call in flight (or the grace timer cut them). */
  private whenDrained(): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (!this.tracker.drained) return;
        this.onDrained = undefined;
        resolve();
      };
      this.onDrained = check;
      check();
    });
  }

  /**
   * Serves a connection accepted elsewhere (a net.Server of your own, a socket
   * handed over by another process) exactly as if it had arrived on the port.
   */
  handle(socket: Socket): void {
    this.startSweeping();
    this.onConnection(socket);
  }

  private startSweeping(): void {
    if (this.sweeping) return;
    this.sweeping = true;
    this.tracker.startSweeping();
  }

  private onConnection(socket: Socket): void {
    // Read now: the socket keeps the address it read, so the error listener can name the peer after a reset too.
    const peer = peerOf(socket);
    socket.on("error", this.socketFailed);
    if (this.closing !== undefined) {
      socket.destroy();
      return;
    }
    // Checked now, so that a flood is answered at once; the refusal is said in the protocol's words below.
    const refusal = this.tracker.makeRoom() ? undefined : `server is at its limit of ${this.limits.maxConnections} connections`;
    if (refusal !== undefined) this.logger.warn({ peer, limit: this.limits.maxConnections }, "connection refused: connection limit reached");
    // The closure lives until the protocol is known: nothing of it stays with an established connection.
    const placeholder = this.detector.watch(socket, peer, (protocol) => this.serve(protocol, socket, peer, refusal));
    // One close listener for the placeholder and the connection that takes its place (see serve), and
    // for a refused connection too: its socket may have a close hook (see socket-close-hook.ts).
    if (refusal === undefined) this.tracker.track(socket, placeholder);
    socket.on("close", this.socketClosed);
  }

  private serve(protocol: ServerProtocol, socket: Socket, peer: string, refusal: string | undefined): void {
    const env = this.security?.plaintextEnvironment(this.env, protocol, socket, peer) ?? this.env;
    const connection = protocol.serve(socket, peer, env, refusal ?? (this.closing !== undefined ? "server is shutting down" : undefined));
    if (refusal !== undefined || this.closing !== undefined) return;
    this.tracker.track(socket, connection);
    this.observability.connectionOpened(connection);
  }

  /** An accepted socket closed, its protocol known or not. */
  private connectionClosed(socket: Socket): void {
    runSocketCloseHook(socket);
    const connection = this.tracker.untrack(socket);
    // A placeholder was never opened as far as the logs and the drain are concerned.
    if (connection === undefined || isUndetected(connection)) return;
    this.observability.connectionClosed(connection);
    this.onDrained?.();
  }
}

function peerOf(socket: Socket): string {
  return formatAddress(socket.remoteAddress ?? "unknown", socket.remotePort ?? 0);
}
