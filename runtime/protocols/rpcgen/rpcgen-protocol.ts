import type { Socket } from "node:net";
import { Code, RpcError } from "../../errors.js";
import type { ConnectionEnvironment, Detection, ServerProtocol } from "../../server/server-protocol.js";
import { FRAME_MAGIC } from "../../wire/frame-layout.js";
import { FramesServerConnection } from "./frames-server-connection.js";

/** rpcgen's own binary framing (docs/PROTOCOL.md): every frame starts with the magic byte 0xB5. */
export const rpcgenProtocol: ServerProtocol = {
  name: "rpcgen",
  detect(head: Buffer): Detection {
    return head[0] === FRAME_MAGIC ? "yes" : "no";
  },
  serve(socket: Socket, peer: string, env: ConnectionEnvironment, refusal?: string) {
    const connection = new FramesServerConnection(socket, peer, env);
    if (refusal !== undefined) {
      const code = env.closing ? Code.UNAVAILABLE : Code.RESOURCE_EXHAUSTED;
      connection.refuse(new RpcError(code, refusal));
    }
    return connection;
  },
};
