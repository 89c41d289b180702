import type { Socket } from "node:net";
import { createServer, type Server as TlsServer, type TLSSocket } from "node:tls";
import type { Logger } from "../logger.js";
import { ProtocolDetector } from "../server/protocol-detector.js";
import type { ServedConnection } from "../server/served-connection.js";
import { setSocketCloseHook, type SocketCloseHook } from "../server/socket-close-hook.js";
import type { ConnectionEnvironment, Detection, ServerProtocol } from "../server/server-protocol.js";
import { formatAddress } from "../transport/address.js";
import type { CertificateStore } from "./certificate-store.js";
import type { Principal } from "./principal.js";
import { tlsPeerIdentity, type TlsPeerIdentity } from "./tls-peer.js";
import { TlsServedConnection } from "./tls-served-connection.js";

/** First byte of a TLS record carrying a handshake message (the ClientHello). */
const TLS_HANDSHAKE_RECORD = 0x16;

/**
 * ALPN ids of the built-in protocols, by protocol name, for protocols that do not
 * declare their own `alpn`: gRPC and Connect ride HTTP/2 (`h2`), HTTP/1.1 is
 * `http/1.1`, and rpcgen's frames, RESP and Thrift use names of their own.
 */
export const defaultAlpnIds: Readonly<Record<string, readonly string[]>> = {
  http2: ["h2"],
  http: ["http/1.1"],
  rpcgen: ["rpcgen"],
  resp: ["resp"],
  thrift: ["thrift"],
};

/**
 * Hands a decrypted connection to its protocol (the server builds the
 * connection's environment). `raw` is the socket the server accepted, which TLS
 * runs over: the one the server's close listener is on (see socket-close-hook.ts).
 */
export type ServeInsideTls = (
  protocol: ServerProtocol,
  socket: TLSSocket,
  raw: Socket,
  peer: string,
  identity: TlsPeerIdentity | undefined,
  principal: Principal | undefined,
  refusal: string | undefined,
) => ServedConnection;

/** What the acceptor needs from the server's security settings. */
export interface TlsAcceptorSettings {
  readonly store: CertificateStore;
  /** Ask clients for a certificate (a CA bundle is configured). */
  readonly requestCert: boolean;
  /** Refuse, at the handshake, a client without a valid certificate. */
  readonly requireCert: boolean;
  /** Handshakes taking longer are cut (the server's handshakeTimeoutMs closes them too). */
  readonly handshakeTimeoutMs: number;
  /** Authenticates a connection by its client certificate alone, before its protocol is known. */
  readonly transportPrincipal: (identity: TlsPeerIdentity, peer: string) => Promise<Principal | undefined> | undefined;
  readonly logger: Logger;
}

/** A connection in its TLS handshake: forgotten when its socket closes before the handshake ends. */
class Handshake implements SocketCloseHook {
  constructor(
    private readonly handshakes: HandshakesByPeer,
    readonly raw: Socket,
    readonly peer: string,
    readonly connection: TlsServedConnection,
    readonly refusal: string | undefined,
  ) {}

  socketClosed(): void {
    const waiting = this.handshakes.get(this.peer);
    if (waiting === undefined) return;
    const index = waiting.indexOf(this);
    if (index >= 0) waiting.splice(index, 1);
    if (waiting.length === 0) this.handshakes.delete(this.peer);
  }
}

/**
 * Connections in their handshake, by peer `host:port`: how node:tls's events,
 * which give the TLS socket only, are matched to them. A key holds one
 * connection for TCP; sockets without an address (handed over through
 * Server.handle) share theirs, first in first out.
 */
type HandshakesByPeer = Map<string, Handshake[]>;

/**
 * TLS on the service port, as one more protocol the detector asks: a connection
 * whose first byte is 0x16 (a TLS handshake record) is handed to an internal
 * node:tls server (never listening itself) with the current certificate, the
 * ALPN ids of every protocol the port speaks, TLS 1.2 at least, and (mutual
 * TLS) a client certificate request checked against the CA bundle. Once the
 * handshake is done, the protocol inside is chosen by ALPN when the client named
 * one that a single protocol answers to, else by its first decrypted bytes,
 * exactly as in plaintext.
 */
export class TlsAcceptor implements ServerProtocol {
  readonly name = "tls";
  /** The TLS socket reads the connection from the handle on: the detector must not resume it. */
  readonly startsReading = true;
  private readonly detector: ProtocolDetector;
  private readonly byAlpn = new Map<string, ServerProtocol>();
  private readonly alpnIds: string[] = [];
  private readonly tlsServer: TlsServer;
  private readonly handshakes: HandshakesByPeer = new Map();
  /** The error listener of every decrypted socket (`this` is the socket): one function, not a closure each. */
  private readonly tlsSocketFailed: (this: TLSSocket, error: Error) => void;

  constructor(
    private readonly settings: TlsAcceptorSettings,
    protocols: readonly ServerProtocol[],
    private readonly serveInside: ServeInsideTls,
  ) {
    this.detector = new ProtocolDetector(protocols, settings.logger);
    const claimed = new Map<string, ServerProtocol[]>();
    for (const protocol of protocols) {
      for (const id of protocol.alpn ?? defaultAlpnIds[protocol.name] ?? []) {
        if (!claimed.has(id)) {
          claimed.set(id, []);
          this.alpnIds.push(id);
        }
        claimed.get(id)!.push(protocol);
      }
    }
    // An id several protocols share (HTTP/2 for gRPC and Connect) is settled by the bytes that follow.
    for (const [id, owners] of claimed) if (owners.length === 1) this.byAlpn.set(id, owners[0]!);
    this.tlsServer = createServer({
      ...settings.store.current,
      requestCert: settings.requestCert,
      rejectUnauthorized: settings.requireCert,
      handshakeTimeout: settings.handshakeTimeoutMs,
      ...(this.alpnIds.length === 0 ? {} : { ALPNProtocols: this.alpnIds }),
    });
    settings.store.onReload((context) => this.tlsServer.setSecureContext(context));
    this.tlsSocketFailed = function (this: TLSSocket, error: Error): void {
      settings.logger.debug({ peer: peerOf(this), err: error.message }, "TLS connection error");
    };
    this.tlsServer.on("secureConnection", (socket: TLSSocket) => this.onSecure(socket));
    this.tlsServer.on("tlsClientError", (error: NodeJS.ErrnoException, socket: TLSSocket) => {
      const peer = peerOf(socket);
      this.take(peer);
      settings.logger.warn({ peer, reason: error.code ?? error.message }, "TLS handshake failed");
      socket.destroy();
    });
  }

  /** The ALPN ids the server advertises, in its order of preference. */
  get alpnProtocols(): readonly string[] {
    return this.alpnIds;
  }

  detect(head: Buffer): Detection {
    return head[0] === TLS_HANDSHAKE_RECORD ? "yes" : "no";
  }

  serve(raw: Socket, peer: string, _env: ConnectionEnvironment, refusal?: string): ServedConnection {
    const connection = new TlsServedConnection(raw, peer);
    const handshake = new Handshake(this.handshakes, raw, peer, connection, refusal);
    const waiting = this.handshakes.get(peer);
    if (waiting === undefined) this.handshakes.set(peer, [handshake]);
    else waiting.push(handshake);
    // The server's close listener tells the handshake if the socket closes first: no listener of its own.
    setSocketCloseHook(raw, handshake);
    // node:tls wraps the socket (the bytes already read are still queued on it) and runs the handshake.
    this.tlsServer.emit("connection", raw);
    return connection;
  }

  /** The oldest connection in its handshake from `peer`, taken off the list. */
  private take(peer: string): Handshake | undefined {
    const waiting = this.handshakes.get(peer);
    const handshake = waiting?.shift();
    if (waiting !== undefined && waiting.length === 0) this.handshakes.delete(peer);
    if (handshake !== undefined) setSocketCloseHook(handshake.raw, undefined);
    return handshake;
  }

  private onSecure(socket: TLSSocket): void {
    const peer = peerOf(socket);
    const handshake = this.take(peer);
    if (handshake === undefined) {
      socket.destroy();
      return;
    }
    handshake.connection.secured(socket);
    socket.on("error", this.tlsSocketFailed);
    const identity = this.settings.requestCert && socket.authorized ? tlsPeerIdentity(socket) : undefined;
    const pending = identity === undefined ? undefined : this.settings.transportPrincipal(identity, peer);
    if (pending === undefined) {
      this.startInside(socket, handshake, identity, undefined);
      return;
    }
    const start = (principal: Principal | undefined): void => {
      if (!socket.destroyed) this.startInside(socket, handshake, identity, principal);
    };
    pending.then(start, () => start(undefined));
  }

  private startInside(socket: TLSSocket, handshake: Handshake, identity: TlsPeerIdentity | undefined, principal: Principal | undefined): void {
    const { raw, peer, connection, refusal } = handshake;
    const chosen = typeof socket.alpnProtocol === "string" ? this.byAlpn.get(socket.alpnProtocol) : undefined;
    if (chosen !== undefined) {
      connection.attach(this.serveInside(chosen, socket, raw, peer, identity, principal, refusal));
      return;
    }
    this.detector.watch(socket, peer, (protocol) => {
      connection.attach(this.serveInside(protocol, socket, raw, peer, identity, principal, refusal));
    });
  }
}

function peerOf(socket: TLSSocket): string {
  return formatAddress(socket.remoteAddress ?? "unknown", socket.remotePort ?? 0);
}
