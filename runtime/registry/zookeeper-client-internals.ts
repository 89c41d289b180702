/**
 * Two things node-zookeeper-client (checked against 1.1.3) has no API for, done
 * through its connection manager, with a feature check so that a changed library
 * degrades to its public close() instead of failing:
 *
 * - dropping the current server connection, so the client reconnects to another
 *   server: the library has no read timeout and no handshake timeout, so a server
 *   that hangs without closing the TCP connection (paused, partitioned) would hold
 *   it forever, connected or in the middle of connecting;
 * - stopping a client for good while it is disconnected: close() then leaves the
 *   library's reconnect loop running and a queued close request behind.
 */
import type { Socket } from "node:net";
import type { Client } from "node-zookeeper-client";

interface ConnectionManagerInternals {
  socket?: Socket;
  connect: () => void;
}

function internalsOf(client: Client): ConnectionManagerInternals | undefined {
  const manager = (client as unknown as { connectionManager?: Partial<ConnectionManagerInternals> }).connectionManager;
  if (manager && typeof manager.connect === "function") return manager as ConnectionManagerInternals;
  return undefined;
}

/** The socket to the current server (connected or connecting), if any. */
export function serverSocket(client: Client): Socket | undefined {
  const socket = internalsOf(client)?.socket;
  return socket && !socket.destroyed ? socket : undefined;
}

/** Closes the socket to the current server; the library then connects to the next one with the same session. */
export function dropServerConnection(client: Client): boolean {
  const socket = internalsOf(client)?.socket;
  if (!socket || socket.destroyed) return false;
  socket.destroy();
  return true;
}

/** Stops the client's reconnect loop and closes its socket; the session is left to expire on the server. */
export function stopClient(client: Client): void {
  const manager = internalsOf(client);
  if (!manager) {
    client.close();
    return;
  }
  manager.connect = () => {};
  manager.socket?.destroy();
}
