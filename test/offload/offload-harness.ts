import { Channel, type OffloadOptions, Server } from "@rpcgen/runtime";
import { capturingLogger, type Cleanup, type LogEntry } from "../runtime/transport/harness.js";
import * as workHandlers from "./fixtures/work-handlers.js";
import { WorkService } from "./fixtures/work-service.js";

/** The module the offload workers load: the same functions the main thread serves inline. */
export const workHandlersModule = new URL("./fixtures/work-handlers.ts", import.meta.url);

export interface WorkServer {
  server: Server;
  address: string;
  channel: Channel;
  logger: ReturnType<typeof capturingLogger>;
  /** Calls Work.<name>. */
  call(name: keyof typeof WorkService.methods, args: unknown[], options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<unknown>;
}

/** A Server with the Work service on 127.0.0.1 port 0, and a Channel to it; both closed by `cleanup`. */
export async function startWorkServer(cleanup: Cleanup, offload: OffloadOptions): Promise<WorkServer> {
  const logger = capturingLogger();
  const server = new Server({ logger, offload });
  server.addService(WorkService, workHandlers);
  cleanup.add(() => server.close({ graceMs: 0 }));
  const { host, port } = await server.listen({ host: "127.0.0.1", port: 0 });
  const channel = new Channel({ address: `${host}:${port}`, logger: capturingLogger(), defaultTimeoutMs: 20_000 });
  cleanup.add(() => channel.destroy());
  const call: WorkServer["call"] = (name, args, options) => channel.invoke(WorkService.methods[name]!, args, options);
  return { server, address: `${host}:${port}`, channel, logger, call };
}

/** The log entries whose message contains `text`. */
export function logged(entries: readonly LogEntry[], text: string): LogEntry[] {
  return entries.filter((entry) => entry.msg?.includes(text));
}
