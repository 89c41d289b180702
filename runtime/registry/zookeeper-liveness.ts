/**
 * Notices a ZooKeeper server that has gone silent without closing the TCP
 * connection (paused, partitioned), which node-zookeeper-client would wait on
 * forever: it has neither a read timeout nor a handshake timeout.
 *
 * - While connected, a small probe request goes out every sixth of the session
 *   timeout; when nothing has been heard for half of it, the server connection is
 *   dropped and the library moves to the next server with the same session, about
 *   two thirds of the session timeout at worst, before the session can expire
 *   (the Java and C clients do the same with their read timeout).
 * - While connecting, a socket that is still the current one a whole handshake
 *   limit later (TCP accepted, no session answer: a hung server, or a restarting
 *   one that took the connection before it could serve) is dropped, and the
 *   library tries the next server. The limit is the session timeout divided by the
 *   number of servers, so that every server can be tried within it, and at most a
 *   third of it, so that a single server gets several tries before a session it
 *   restored on restart runs out.
 */
import type { Client } from "node-zookeeper-client";
import type { Logger } from "../logger.js";
import { dropServerConnection, serverSocket } from "./zookeeper-client-internals.js";

/** What the liveness checks need from their connection. */
export interface LivenessTarget {
  client: Client;
  servers: readonly string[];
  /** The negotiated session timeout once connected, the requested one before. */
  sessionTimeoutMs(): number;
  /** A cheap request to the server; resolves when it answers. */
  probe(): Promise<unknown>;
  /** Fields that name the connection in logs. */
  describe(): object;
  logger: Logger;
}

/** The probe while connected and the handshake limit while connecting, for one client. */
export class ConnectionLiveness {
  private timer: NodeJS.Timeout | undefined;
  private probeInFlight = false;
  private lastHeardAt = 0;

  constructor(private readonly target: LivenessTarget) {}

  /** Connected: probe the server. */
  connected(): void {
    this.stop();
    this.lastHeardAt = Date.now();
    this.probeInFlight = false;
    const timeoutMs = this.target.sessionTimeoutMs();
    this.every(Math.max(50, timeoutMs / 6), () => this.probe(timeoutMs / 2));
  }

  /** Connecting (first time or again): leave a server that does not answer the handshake. */
  connecting(): void {
    this.stop();
    const { client, servers, sessionTimeoutMs } = this.target;
    const limitMs = Math.max(100, sessionTimeoutMs() / Math.max(3, servers.length));
    let seen = serverSocket(client);
    this.every(limitMs, () => {
      const socket = serverSocket(client);
      if (socket && socket === seen) {
        this.target.logger.debug(
          { ...this.target.describe(), limitMs },
          "no ZooKeeper handshake answer; trying the next server",
        );
        dropServerConnection(client);
      }
      seen = socket;
    });
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private every(ms: number, check: () => void): void {
    this.timer = setInterval(check, ms);
    // The checks must not keep a process alive on their own.
    this.timer.unref();
  }

  private probe(silenceLimitMs: number): void {
    const silentFor = Date.now() - this.lastHeardAt;
    if (silentFor > silenceLimitMs) {
      this.target.logger.warn(
        { ...this.target.describe(), silentForMs: silentFor },
        "ZooKeeper server stopped answering; connecting to another server",
      );
      this.stop();
      dropServerConnection(this.target.client);
      return;
    }
    if (this.probeInFlight) return;
    this.probeInFlight = true;
    this.target.probe().then(
      () => {
        this.probeInFlight = false;
        this.lastHeardAt = Date.now();
      },
      // A connection loss fails the probe; the next connection starts probing afresh.
      () => void (this.probeInFlight = false),
    );
  }
}
