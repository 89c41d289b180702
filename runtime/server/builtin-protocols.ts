import { http1Protocol, http2Protocol } from "../protocols/http-protocols.js";
import { respProtocol } from "../protocols/resp/resp-protocol.js";
import { rpcgenProtocol } from "../protocols/rpcgen/rpcgen-protocol.js";
import { thriftProtocol } from "../protocols/thrift/thrift-protocol.js";
import type { ServerProtocol } from "./server-protocol.js";

/**
 * The protocols a Server speaks on its port, in the order they are asked to
 * recognise a connection (a protocol that needs more bytes to decide is waited
 * for before a later one may say yes: HTTP before RESP, whose inline commands
 * also start with letters).
 */
export const builtinProtocols: readonly ServerProtocol[] = [rpcgenProtocol, thriftProtocol, http2Protocol, http1Protocol, respProtocol];
