import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";
import type { ServedConnection } from "../server/served-connection.js";

/**
 * A TLS connection as the server accounts for it: during the handshake (and
 * until the protocol inside is known) it counts as a connection that has not
 * completed a request, so the connection limit, shedding and the handshake
 * timeout treat a slow or silent handshake like any other; afterwards it is
 * the inner protocol's connection.
 */
export class TlsServedConnection implements ServedConnection {
  readonly openedAt = Date.now();
  private tls: TLSSocket | undefined;
  private inner: ServedConnection | undefined;

  constructor(
    private readonly raw: Socket,
    readonly peer: string,
  ) {}

  /** The handshake is done: this is the decrypted side. */
  secured(tls: TLSSocket): void {
    this.tls = tls;
  }

  /** The protocol connection running inside TLS. */
  attach(inner: ServedConnection): void {
    this.inner = inner;
  }

  get protocol(): string {
    return this.inner === undefined ? "tls" : `${this.inner.protocol}+tls`;
  }

  get inFlight(): number {
    return this.inner?.inFlight ?? 0;
  }

  get lastActivityAt(): number {
    return this.inner?.lastActivityAt ?? this.openedAt;
  }

  get handshakeDone(): boolean {
    return this.inner?.handshakeDone ?? false;
  }

  goaway(): void {
    if (this.inner === undefined) this.destroy();
    else this.inner.goaway();
  }

  end(): void {
    if (this.inner === undefined) this.destroy();
    else this.inner.end();
  }

  destroy(): void {
    this.inner?.destroy();
    this.tls?.destroy();
    this.raw.destroy();
  }
}
