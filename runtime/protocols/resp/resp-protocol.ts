import type { Socket } from "node:net";
import type { ConnectionEnvironment, Detection, ServerProtocol } from "../../server/server-protocol.js";
import { RespServerConnection } from "./resp-server-connection.js";

/**
 * RESP messages start with a type byte (`*` for a command array, `+ - : $ _ , #
 * ! = ( % ~ > |` for the others) or, for inline commands typed into a terminal, a
 * letter. rpcgen's binary frames are laid out never to start with any of these.
 */
const respFirstBytes = new Uint8Array(256);
for (const ch of "*+-:$_,#!=(%~>|") respFirstBytes[ch.charCodeAt(0)] = 1;
for (let c = 0x41; c <= 0x5a; c++) respFirstBytes[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) respFirstBytes[c] = 1;

/** The Redis protocol on the service port, so redis-cli and Redis clients can call methods. */
export const respProtocol: ServerProtocol = {
  name: "resp",
  detect(head: Buffer): Detection {
    return respFirstBytes[head[0]!] === 1 ? "yes" : "no";
  },
  serve(socket: Socket, peer: string, env: ConnectionEnvironment, refusal?: string) {
    const connection = new RespServerConnection(socket, peer, env);
    if (refusal !== undefined) connection.refuse(refusal);
    return connection;
  },
};
