import type { Socket } from "node:net";
import type { Logger } from "../logger.js";
import type { ServedConnection } from "../server/served-connection.js";
import type { Detection, ServerProtocol } from "../server/server-protocol.js";

/**
 * The last protocol of a TLS-only port: anything that is not a TLS handshake is
 * closed unanswered (a plaintext client learns nothing, not even the protocol),
 * with a line in the log.
 */
export function plaintextRefusal(logger: Logger): ServerProtocol {
  return {
    name: "plaintext",
    detect(): Detection {
      return "yes";
    },
    serve(socket: Socket, peer: string): ServedConnection {
      logger.warn({ peer }, "closing plaintext connection: this port requires TLS");
      socket.destroy();
      return closedConnection(socket, peer);
    },
  };
}

function closedConnection(socket: Socket, peer: string): ServedConnection {
  const openedAt = Date.now();
  const destroy = (): void => void socket.destroy();
  return {
    protocol: "plaintext",
    peer,
    openedAt,
    inFlight: 0,
    lastActivityAt: openedAt,
    handshakeDone: false,
    goaway: destroy,
    end: destroy,
    destroy,
  };
}
