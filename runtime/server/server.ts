import cluster from "node:cluster";
import { EventEmitter } from "node:events";
import { createServer, type Server as NetServer, type Socket } from "node:net";
import type { ServiceRegistrar } from "../call.js";
import type { ServiceDescriptor } from "../descriptor.js";
import { Code, RpcError } from "../errors.js";
import { defaultLogger, type Logger } from "../logger.js";
import { handleRespConnection } from "../resp/resp-connection.js";
import { formatAddress, type HostPort } from "../transport/address.js";
import { isRespFirstByte } from "../transport/protocol-sniff.js";
import { defaultFrameLimits, type FrameLimits } from "../wire/frame-limits.js";
import { ServerConnection, type ServerConnectionSettings } from "./server-connection.js";
import { ServiceTable } from "./service-table.js";
import { runWorkerPrimary, type WorkerPrimary, serveAsWorker } from "./worker-cluster.js";

/** Options of a Server. */
export interface ServerOptions {
  /** Connections served at once; more are refused with RESOURCE_EXHAUSTED. Default 10000. */
  maxConnections?: number;
  /** Default 4 MiB. A connection that sends a larger frame is closed. */
  maxFrameBytes?: number;
  /** Replies with bodies over this are gzip-compressed. Default 2 MiB. */
  compressThresholdBytes?: number;
  /**
   * Calls running at once on one connection. Further calls wait, in arrival order,
   * and the connection stops reading (TCP pushes back on the client) until one
   * finishes. Default 1000.
   */
  maxInFlightPerConnection?: number;
  /** A connection with no call for this long is sent goaway and closed. Default 300000; 0 disables. */
  idleTimeoutMs?: number;
  /** Unsent reply bytes above which a connection stops reading calls until the client reads. Default 16 MiB. */
  maxPendingBytes?: number;
  logger?: Logger;
}

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
 * An RPC server: binary frames (JSON or binary bodies) and RESP on one port.
 *
 * ```ts
 * const server = new Server({ maxInFlightPerConnection: 500 });
 * server.addService(CalculatorService, new CalculatorHandlerImpl());
 * const { port } = await server.listen({ host: "0.0.0.0", port: 9090 });
 * installShutdownSignals(server);
 * ```
 */
export class Server extends EventEmitter<ServerEvents> implements ServiceRegistrar {
  private readonly table = new ServiceTable();
  private readonly logger: Logger;
  private readonly maxConnections: number;
  private readonly idleTimeoutMs: number;
  private readonly settings: ServerConnectionSettings;
  private netServer: NetServer | undefined;
  private readonly connections = new Set<ServerConnection>();
  private readonly respSockets = new Set<Socket>();
  /** Accepted sockets whose first byte (which tells the protocol) has not arrived yet. */
  private readonly unsniffed = new Set<Socket>();
  private sweeper: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;
  private primary: WorkerPrimary | undefined;
  /** Set while closing: re-checks whether every connection has drained. */
  private onDrained: (() => void) | undefined;

  constructor(options: ServerOptions = {}) {
    super();
    this.logger = options.logger ?? defaultLogger();
    this.maxConnections = options.maxConnections ?? 10_000;
    this.idleTimeoutMs = options.idleTimeoutMs ?? 300_000;
    const limits: FrameLimits = {
      maxFrameBytes: options.maxFrameBytes ?? defaultFrameLimits.maxFrameBytes,
      compressThresholdBytes: options.compressThresholdBytes ?? defaultFrameLimits.compressThresholdBytes,
    };
    this.settings = {
      table: this.table,
      limits,
      maxInFlightPerConnection: options.maxInFlightPerConnection ?? 1000,
      maxPendingBytes: options.maxPendingBytes ?? 16 * 1024 * 1024,
      logger: this.logger,
      drained: () => this.onDrained?.(),
    };
  }

  /** Registers a handler for a service; throws if a method is missing or the service is already registered. */
  addService(service: ServiceDescriptor, handler: object): void {
    this.table.add(service, handler);
  }

  /** Connections currently open (binary and RESP). */
  get connectionCount(): number {
    return this.connections.size + this.respSockets.size + this.unsniffed.size;
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
      return this.primary.ready;
    }
    const netServer = createServer({ noDelay: true }, (socket) => this.onConnection(socket));
    this.netServer = netServer;
    await new Promise<void>((resolve, reject) => {
      netServer.once("error", reject);
      netServer.listen({ host, port }, () => {
        netServer.off("error", reject);
        resolve();
      });
    });
    netServer.on("error", (error) => this.logger.error({ err: error }, "server socket error"));
    if (this.idleTimeoutMs > 0) {
      const every = Math.max(10, Math.min(this.idleTimeoutMs / 4, 1000));
      this.sweeper = setInterval(() => this.sweepIdle(), every);
      this.sweeper.unref();
    }
    if (cluster.isWorker) serveAsWorker(this);
    const address = netServer.address();
    if (address === null || typeof address === "string") return { host, port };
    return { host: address.address, port: address.port };
  }

  /**
   * Graceful shutdown: stops accepting, sends goaway on every connection so that
   * clients send new calls elsewhere, lets calls in flight finish for up to
   * `graceMs`, then closes whatever is left. Resolves when everything is closed.
   */
  close(options: CloseOptions = {}): Promise<void> {
    this.closing ??= this.shutdown(options.graceMs ?? 10_000);
    return this.closing;
  }

  private async shutdown(graceMs: number): Promise<void> {
    if (this.primary !== undefined) {
      await this.primary.close(graceMs);
      return;
    }
    const netServer = this.netServer;
    if (netServer === undefined) return;
    if (this.sweeper !== undefined) clearInterval(this.sweeper);
    const closed = new Promise<void>((resolve) => netServer.close(() => resolve()));
    for (const connection of this.connections) connection.goaway();
    // RESP clients know no goaway: they are closed once the binary side has drained.
    const drained = this.whenDrained();
    const grace = setTimeout(() => {
      for (const connection of this.connections) connection.destroy();
      for (const socket of this.respSockets) socket.destroy();
    }, graceMs);
    for (const socket of this.unsniffed) socket.destroy();
    await drained;
    for (const socket of this.respSockets) socket.end();
    await closed;
    clearTimeout(grace);
    // net.Server reports "closed" a tick before the sockets' own close events.
    this.connections.clear();
    this.respSockets.clear();
  }

  /** Resolves when no binary connection has a call in flight or the grace timer has cut them. */
  private whenDrained(): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        for (const connection of this.connections) {
          if (connection.inFlight > 0) return;
        }
        this.onDrained = undefined;
        resolve();
      };
      this.onDrained = check;
      check();
    });
  }

  private onConnection(socket: Socket): void {
    const peer = formatAddress(socket.remoteAddress ?? "unknown", socket.remotePort ?? 0);
    socket.on("error", (error) => this.logger.debug({ peer, err: error.message }, "connection error"));
    const overLimit = this.connectionCount >= this.maxConnections;
    this.unsniffed.add(socket);
    if (this.idleTimeoutMs > 0) {
      // Silent from the start: idle before the protocol is even known.
      socket.setTimeout(this.idleTimeoutMs, () => socket.destroy());
    }
    socket.once("close", () => this.unsniffed.delete(socket));
    socket.once("data", (first: Buffer) => {
      this.unsniffed.delete(socket);
      socket.setTimeout(0);
      socket.pause();
      socket.unshift(first);
      if (isRespFirstByte(first[0]!)) this.serveResp(socket, peer, overLimit);
      else this.serveFrames(socket, peer, overLimit);
      socket.resume();
    });
  }

  private serveFrames(socket: Socket, peer: string, overLimit: boolean): void {
    const connection = new ServerConnection(socket, peer, this.settings);
    if (this.closing !== undefined) {
      connection.refuse(new RpcError(Code.UNAVAILABLE, "server is shutting down"));
      return;
    }
    if (overLimit) {
      this.logger.warn({ peer, limit: this.maxConnections }, "connection refused: connection limit reached");
      connection.refuse(
        new RpcError(Code.RESOURCE_EXHAUSTED, `server is at its limit of ${this.maxConnections} connections`),
      );
      return;
    }
    this.connections.add(connection);
    socket.on("close", () => {
      this.connections.delete(connection);
      this.onDrained?.();
    });
  }

  private serveResp(socket: Socket, peer: string, overLimit: boolean): void {
    if (overLimit) {
      this.logger.warn({ peer, limit: this.maxConnections }, "connection refused: connection limit reached");
      socket.end(`-ERR server is at its limit of ${this.maxConnections} connections\r\n`);
      return;
    }
    this.respSockets.add(socket);
    socket.on("close", () => this.respSockets.delete(socket));
    handleRespConnection(socket, this.table, {
      logger: this.logger,
      peer,
      maxRequestBytes: this.settings.limits.maxFrameBytes,
    });
  }

  private sweepIdle(): void {
    const now = Date.now();
    for (const connection of this.connections) {
      if (connection.inFlight === 0 && !connection.draining && now - connection.lastActivityAt >= this.idleTimeoutMs) {
        this.logger.debug({ peer: connection.peer }, "closing idle connection");
        connection.goaway();
        // A client that does not close its side after the goaway is cut after another idle period.
        const stale = connection;
        setTimeout(() => stale.destroy(), this.idleTimeoutMs).unref();
      }
    }
  }
}
