import type { Socket } from "node:net";
import { Code, RpcError } from "../../errors.js";
import type { ConnectionEnvironment, Detection, ServerProtocol } from "../../server/server-protocol.js";
import { ThriftServerConnection } from "./thrift-server-connection.js";
import { classifyThriftHead } from "./thrift-variant.js";

/**
 * Apache Thrift on the service port: TBinaryProtocol (strict and old form) and
 * TCompactProtocol, framed or unframed, plain or multiplexed method names, told
 * apart by a connection's first bytes (docs/PROTOCOL.md).
 */
export const thriftProtocol: ServerProtocol = {
  name: "thrift",
  detect(head: Buffer): Detection {
    const variant = classifyThriftHead(head);
    if (variant === "need-more") return "need-more";
    return variant === undefined ? "no" : "yes";
  },
  serve(socket: Socket, peer: string, env: ConnectionEnvironment, refusal?: string) {
    const connection = new ThriftServerConnection(socket, peer, env);
    if (refusal !== undefined) {
      connection.refuse(new RpcError(env.closing ? Code.UNAVAILABLE : Code.RESOURCE_EXHAUSTED, refusal));
    }
    return connection;
  },
};
