/**
 * The server the chaos tests attack, in a process of its own so that its memory
 * can be measured and its death seen. Usage:
 *   node --import tsx chaos-server.ts '<ServerOptions as JSON>'
 * Prints `listening on 127.0.0.1:<port>` once it serves; SIGTERM closes it gracefully.
 * It imports the runtime from source, so it needs no build.
 */
import { Server } from "../../../runtime/server/server.js";
import { installShutdownSignals } from "../../../runtime/server/shutdown-signals.js";
import { ChaosService } from "./chaos-service.js";

const options = JSON.parse(process.argv[2] ?? "{}") as Record<string, unknown>;
const replies = new Map<number, Buffer>();

const server = new Server(options);
server.addService(ChaosService, {
  // One buffer per size, shared by every reply: the memory measured is the server's, not the handler's.
  bigReply(size: number): Buffer {
    let reply = replies.get(size);
    if (reply === undefined) replies.set(size, (reply = Buffer.alloc(size, 0x61)));
    return reply;
  },
  add: (a: number, b: number) => a + b,
  bodySize: (data: Uint8Array) => data.length,
  slow: (ms: number) => new Promise<string>((resolve) => setTimeout(() => resolve(`slept ${ms}`), ms)),
});
const { host, port } = await server.listen({ host: "127.0.0.1", port: 0 });
installShutdownSignals(server, { graceMs: 2000 });
process.stdout.write(`listening on ${host}:${port}\n`);
