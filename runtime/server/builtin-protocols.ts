import { respProtocol } from "../protocols/resp/resp-protocol.js";
import { rpcgenProtocol } from "../protocols/rpcgen/rpcgen-protocol.js";
import type { ServerProtocol } from "./server-protocol.js";

/**
 * The protocols a Server speaks on its port, in the order they are asked to
 * recognise a connection (a protocol that needs more bytes to decide does not
 * stop a later one from saying yes).
 */
export const builtinProtocols: readonly ServerProtocol[] = [rpcgenProtocol, respProtocol];
