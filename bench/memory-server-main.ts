/**
 * The server process of the memory-per-connection bench:
 * `node --expose-gc ... memory-server-main.ts <framework>`. Serves the bench's
 * Echo service (rpcgen, grpc-js or Apache Thrift, nothing else loaded) and
 * reads its own memory after a full GC when asked, or once N park calls wait.
 */
import { readdirSync } from "node:fs";
import { memoryUsage } from "node:process";
import type { MemoryFramework, MemoryReading, MemoryServerCommand, MemoryServerMessage } from "./memory-messages.js";
import { ParkLot } from "./park-lot.js";
import type { PeerContext, PeerServer } from "./servers/server-handlers.js";

const framework = process.argv[2] as MemoryFramework;
const context: PeerContext = { lot: new ParkLot() };

const collect = (globalThis as { gc?: () => void }).gc;
if (collect === undefined) throw new Error("memory-server-main needs node --expose-gc");

main().catch((error: unknown) => {
  console.error(`memory bench server (${framework}) failed:`, error);
  process.exit(1);
});

async function main(): Promise<void> {
  const server = await start();
  send({ type: "listening", port: server.port });
  process.on("message", (command: MemoryServerCommand) => {
    if (command.type === "measure") send({ type: "measured", ...read() });
    // Runs inside the last park call, before the lot releases any: every call is still held.
    else {
      context.lot.expect(command.count, () => send({ type: "parked", ...read() }));
      send({ type: "armed" });
    }
  });
  process.on("disconnect", () => process.exit(0));
}

async function start(): Promise<PeerServer> {
  switch (framework) {
    case "rpcgen":
      return (await import("./servers/rpcgen-server.js")).serveRpcgen(context, 0);
    case "grpc-js":
      return (await import("./servers/grpc-server.js")).serveGrpc(context);
    case "thrift":
      return (await import("./servers/thrift-server.js")).serveThrift(context);
  }
}

/** Memory after two full collections (the second picks up what finalizers of the first freed). */
function read(): MemoryReading {
  collect!();
  collect!();
  const usage = memoryUsage();
  return {
    rssBytes: usage.rss,
    heapUsedBytes: usage.heapUsed,
    heapTotalBytes: usage.heapTotal,
    externalBytes: usage.external,
    openFds: readdirSync("/proc/self/fd").length,
  };
}

function send(message: MemoryServerMessage): void {
  process.send?.(message);
}
