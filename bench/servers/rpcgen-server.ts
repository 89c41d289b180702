import { Server, silentLogger } from "rpcgen/runtime";
import { registerEcho } from "../gen/rpcgen/echo.js";
import type { PeerContext, PeerServer } from "./server-handlers.js";

/**
 * rpcgen's server for every codec at once (binary and JSON frames, RESP sniffed on
 * the same port); with `workers` > 0 this process becomes the cluster primary.
 */
export async function serveRpcgen(
  context: PeerContext,
  workers: number,
): Promise<PeerServer> {
  const server = new Server({
    logger: silentLogger,
    // The memory case parks 10,000 calls on one connection.
    maxInFlightPerConnection: 20_000,
    maxFrameBytes: 8 * 1024 * 1024,
  });
  registerEcho(server, {
    echo: (text, count) => ({ text, count }),
    echoBytes: (data) => data,
    echoItems: (items) => items,
    park: async (id) => {
      await context.lot.park();
      return id;
    },
  });
  const { port } = await server.listen({ host: "127.0.0.1", port: 0, workers });
  return { port, close: () => server.close({ graceMs: 0 }) };
}
