import type { Socket } from "node:net";
import type { Logger } from "../logger.js";
import type { ServedConnection } from "./served-connection.js";
import type { ServerProtocol } from "./server-protocol.js";

/** Bytes a connection may send before one protocol must have recognised it. */
const maxHeadBytes = 64;

/**
 * Tells a connection's protocol from its first bytes. Each protocol looks at
 * what arrived so far and says yes, no, or "need more", in the order the
 * protocols were given: the first yes takes the socket with those bytes put
 * back, and a "need more" waits for more bytes before any later protocol may
 * say yes (up to maxHeadBytes, after which it counts as no).
 */
export class ProtocolDetector {
  constructor(
    private readonly protocols: readonly ServerProtocol[],
    private readonly logger: Logger,
  ) {}

  /**
   * Watches `socket` until its protocol is known, then calls `detected`. Returns
   * the connection's stand-in for the time before, so that a silent socket counts
   * against the limits and is closed by the handshake timeout like any other.
   */
  watch(socket: Socket, peer: string, detected: (protocol: ServerProtocol) => void): ServedConnection {
    const placeholder = new UndetectedConnection(socket, peer);
    let head: Buffer | undefined;
    const onData = (chunk: Buffer): void => {
      head = head === undefined ? chunk : Buffer.concat([head, chunk]);
      const protocol = this.decide(head, socket, peer);
      if (protocol === "wait") return;
      socket.off("data", onData);
      if (protocol === undefined) return;
      socket.pause();
      socket.unshift(head);
      detected(protocol);
      // TLS reads the socket itself from here on; resuming it would hand the ClientHello to nobody.
      if (protocol.startsReading !== true) socket.resume();
    };
    socket.on("data", onData);
    return placeholder;
  }

  private decide(head: Buffer, socket: Socket, peer: string): ServerProtocol | "wait" | undefined {
    const canWait = head.length < maxHeadBytes;
    for (const protocol of this.protocols) {
      const answer = protocol.detect(head);
      if (answer === "yes") return protocol;
      // An earlier protocol that cannot tell yet has precedence over a later one that says yes:
      // "GE" may be the start of an HTTP request line as well as a RESP inline command.
      if (answer === "need-more" && canWait) return "wait";
    }
    // A port scanner or a client of another protocol: worth a line in the log, then gone.
    this.logger.warn({ peer, firstBytes: head.subarray(0, 16).toString("hex") }, "closing connection: unknown protocol");
    socket.destroy();
    return undefined;
  }
}

/** True for the stand-in `watch` returns, false for a protocol's connection. */
export function isUndetected(connection: ServedConnection): boolean {
  return connection instanceof UndetectedConnection;
}

/** A connection whose protocol is not known yet: no calls, no handshake. */
class UndetectedConnection implements ServedConnection {
  readonly protocol = "unknown";
  readonly openedAt = Date.now();
  readonly inFlight = 0;
  readonly handshakeDone = false;

  constructor(
    private readonly socket: Socket,
    readonly peer: string,
  ) {}

  get lastActivityAt(): number {
    return this.openedAt;
  }

  goaway(): void {
    this.socket.destroy();
  }

  end(): void {
    this.socket.destroy();
  }

  destroy(): void {
    this.socket.destroy();
  }
}
