import type { AddressInfo, Socket } from "node:net";
import thrift from "thrift";
import { loadThriftGenerated } from "../thrift-gen.js";
import type { PeerContext, PeerServer } from "./server-handlers.js";

/** Apache Thrift server: framed transport, binary protocol, generated processor. */
export async function serveThrift(context: PeerContext): Promise<PeerServer> {
  const { Echo, types } = loadThriftGenerated();
  // Promise-style handlers: the generated processor picks that style when arity matches.
  const handler = {
    echo: (text: string, count: number) =>
      new types.EchoMessage({ text, count }),
    echoBytes: (data: Buffer) => data,
    echoItems: (items: unknown[]) => items,
    park: async (id: number) => {
      await context.lot.park();
      return id;
    },
  };
  const server = thrift.createServer(Echo as never, handler as never, {
    transport: thrift.TFramedTransport,
    protocol: thrift.TBinaryProtocol,
  });
  // Like the client (thrift's Connection does it), not left to Nagle and delayed ACKs.
  server.on("connection", (socket: Socket) => socket.setNoDelay(true));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
