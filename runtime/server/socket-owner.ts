import type { Socket } from "node:net";

/** A protocol connection as its socket's events reach it. */
export interface SocketOwner {
  /** A chunk arrived. */
  socketData(chunk: Buffer): void;
  /** The socket closed, whoever closed it. */
  socketClosed(): void;
}

const ownerKey = Symbol("socket owner");

type OwnedSocket = Socket & { [ownerKey]: SocketOwner };

/**
 * Sends `socket`'s data and close events to `connection`. The listeners are two
 * functions shared by every connection, which find theirs through the socket
 * (one property on it): a pair of closures per connection would cost each idle
 * connection of a server more than that property does. A socket has one owner;
 * a second call would hand the first one's events to the second as well.
 */
export function listenToSocket(socket: Socket, connection: SocketOwner): void {
  (socket as OwnedSocket)[ownerKey] = connection;
  socket.on("data", onSocketData);
  socket.on("close", onSocketClose);
}

function onSocketData(this: OwnedSocket, chunk: Buffer): void {
  this[ownerKey].socketData(chunk);
}

function onSocketClose(this: OwnedSocket): void {
  this[ownerKey].socketClosed();
}
