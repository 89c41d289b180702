import type { Socket } from "node:net";

/** Something that must hear when an accepted socket closes: a TLS handshake in progress, an authentication deadline. */
export interface SocketCloseHook {
  socketClosed(): void;
}

const hookKey = Symbol("socket close hook");

type HookedSocket = Socket & { [hookKey]?: SocketCloseHook };

/**
 * Sets the one hook the server runs when `socket` closes (undefined: none any
 * more). The server's close listener, one function for every socket it
 * accepted, runs it (see runSocketCloseHook): a close listener of the hook's own
 * would cost a closure and grow the socket's list of close listeners past two
 * (from 2 slots to 19), for as long as the connection is open.
 *
 * Only for sockets the server accepted itself: the raw socket of a TLS
 * connection, not the TLS socket inside (both close together).
 */
export function setSocketCloseHook(socket: Socket, hook: SocketCloseHook | undefined): void {
  (socket as HookedSocket)[hookKey] = hook;
}

/** `socket` closed: its hook, if any, hears of it. */
export function runSocketCloseHook(socket: Socket): void {
  (socket as HookedSocket)[hookKey]?.socketClosed();
}
