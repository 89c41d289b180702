/**
 * A peer server process: `server-main.ts <framework> <workers>`, forked by
 * bench/run.ts. Listens on a free loopback port, tells the orchestrator over IPC,
 * then answers stats requests (CPU time and peak RSS of a measurement window,
 * summed over cluster workers) and arms the park lot for the memory case.
 */
import cluster, { type Worker } from "node:cluster";
import { memoryUsage } from "node:process";
import type { Framework, ServerCommand, ServerMessage } from "./case-spec.js";
import { ParkLot } from "./park-lot.js";
import { ServerStats, type WindowStats } from "./server-stats.js";
import type { PeerContext, PeerServer } from "./servers/server-handlers.js";

const framework = process.argv[2] as Framework;
const workers = Number(process.argv[3] ?? 0);
const offload = process.argv[4] === "offload";
const tls = process.argv[5] === "tls";
const context: PeerContext = { lot: new ParkLot() };
const stats = new ServerStats();

main().catch((error: unknown) => {
  console.error(`bench server (${framework}) failed:`, error);
  process.exit(1);
});

async function main(): Promise<void> {
  const server = await start();
  if (cluster.isWorker) {
    serveWorkerStats();
    return;
  }
  send({ type: "listening", port: server.port });
  process.on("message", (message: ServerCommand) => void onCommand(message));
  process.on("disconnect", () => {
    const exit = (): never => process.exit(0);
    setTimeout(exit, 2000).unref();
    void server.close().then(exit, exit);
  });
}

/** Loads only the framework served, so the server's RSS holds no other framework's code. */
async function start(): Promise<PeerServer> {
  switch (framework) {
    case "rpcgen":
      return (await import("./servers/rpcgen-server.js")).serveRpcgen(
        context,
        workers,
        offload,
        tls,
      );
    case "grpc-js":
      return (await import("./servers/grpc-server.js")).serveGrpc(context, tls);
    case "thrift":
      return (await import("./servers/thrift-server.js")).serveThrift(context);
    case "raw":
      return (await import("./servers/raw-server.js")).serveRaw(context);
    default:
      throw new Error(`unknown framework ${String(framework)}`);
  }
}

async function onCommand(command: ServerCommand): Promise<void> {
  if (command.type === "stats-start") {
    stats.start();
    for (const worker of Object.values(cluster.workers ?? {}))
      worker?.send(command);
    send({ type: "stats", cpuMicros: 0, peakRssBytes: 0, seconds: 0 });
  } else if (command.type === "stats-stop") {
    const own = stats.stop();
    const fromWorkers = await Promise.all(
      Object.values(cluster.workers ?? {}).map((worker) =>
        workerStats(worker!),
      ),
    );
    // Peak RSS of the processes summed: an upper bound, they need not peak at once.
    const total = fromWorkers.reduce(
      (sum, next) => ({
        cpuMicros: sum.cpuMicros + next.cpuMicros,
        peakRssBytes: sum.peakRssBytes + next.peakRssBytes,
        seconds: sum.seconds,
      }),
      own,
    );
    send({ type: "stats", ...total });
  } else if (command.type === "park-expect") {
    context.lot.expect(command.count, (count) =>
      send({ type: "parked", count, rssBytes: memoryUsage.rss() }),
    );
  }
}

function workerStats(worker: Worker): Promise<WindowStats> {
  return new Promise((resolve) => {
    const onMessage = (message: ServerMessage): void => {
      if (message.type !== "stats") return;
      worker.off("message", onMessage);
      resolve(message);
    };
    worker.on("message", onMessage);
    worker.send({ type: "stats-stop" } satisfies ServerCommand);
  });
}

/** In a cluster worker: the primary relays stats-start/stop here. */
function serveWorkerStats(): void {
  process.on("message", (message: ServerCommand) => {
    if (message.type === "stats-start") stats.start();
    else if (message.type === "stats-stop")
      send({ type: "stats", ...stats.stop() });
  });
}

function send(message: ServerMessage): void {
  process.send?.(message);
}
