import { Server, silentLogger } from "@rpcgen/runtime";
import { registerEcho } from "../gen/rpcgen/echo.js";
import { observeEnv, serverObservability } from "../observe-mode.js";
import { HeavyService } from "../heavy-descriptor.js";
import { hash } from "./offload-handlers.js";
import type { PeerContext, PeerServer } from "./server-handlers.js";
import { benchTlsFiles } from "../tls-mode.js";

/**
 * rpcgen's server for every codec at once (binary and JSON frames, RESP sniffed on
 * the same port); with `workers` > 0 this process becomes the cluster primary.
 */
export async function serveRpcgen(
  context: PeerContext,
  workers: number,
  offload = false,
  tls = false,
): Promise<PeerServer> {
  const files = tls ? benchTlsFiles() : undefined;
  const server = new Server({
    logger: silentLogger,
    // The memory case parks 10,000 calls on one connection.
    maxInFlightPerConnection: 20_000,
    maxFrameBytes: 8 * 1024 * 1024,
    // The offload case: Heavy.hash in worker threads (default count: the cores less one).
    offload: offload ? { methods: { "Heavy.hash": new URL("./offload-handlers.js", import.meta.url) } } : undefined,
    observability: serverObservability(process.env[observeEnv]),
    // The TLS case: TLS 1.3 on the port, the certificate from the run's throw-away CA.
    tls: files === undefined ? undefined : { certFile: files.cert, keyFile: files.key, watch: false, reloadSignal: false },
  });
  server.addService(HeavyService, { hash });
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
