import { createServer, type Server as NetServer, type Socket } from "node:net";
import { Channel, type ChannelOptions, type Logger, Server, type ServerOptions } from "@rpcgen/runtime";
import { echoHandler, EchoService, type EchoStats, newStats } from "./fixtures/echo-service.js";

/** Collects what must be closed after a test, and closes it. */
export class Cleanup {
  private readonly steps: Array<() => Promise<void> | void> = [];

  add(step: () => Promise<void> | void): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    const steps = this.steps.splice(0).reverse();
    for (const step of steps) await step();
  }
}

export interface LogEntry {
  level: "debug" | "info" | "warn" | "error";
  fields: object;
  msg: string | undefined;
}

/** A Logger that keeps every entry in memory. */
export function capturingLogger(): Logger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const at =
    (level: LogEntry["level"]) =>
    (objOrMsg: object | string, msg?: string): void => {
      if (typeof objOrMsg === "string") entries.push({ level, fields: {}, msg: objOrMsg });
      else entries.push({ level, fields: objOrMsg, msg });
    };
  return {
    entries,
    debug: at("debug"),
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
  };
}

export interface EchoServer {
  server: Server;
  address: string;
  stats: EchoStats;
  logger: Logger & { entries: LogEntry[] };
}

/** Starts a Server with the Echo service on 127.0.0.1, port 0; closed by `cleanup`. */
export async function startEchoServer(cleanup: Cleanup, options: ServerOptions = {}): Promise<EchoServer> {
  const logger = capturingLogger();
  const stats = newStats();
  const server = new Server({ logger, ...options });
  server.addService(EchoService, echoHandler(stats));
  const { host, port } = await server.listen({ host: "127.0.0.1", port: 0 });
  cleanup.add(() => server.close({ graceMs: 0 }));
  return { server, address: `${host}:${port}`, stats, logger };
}

/** A Channel destroyed by `cleanup`. */
export function openChannel(cleanup: Cleanup, options: ChannelOptions): Channel {
  const channel = new Channel({ logger: capturingLogger(), ...options });
  cleanup.add(() => channel.destroy());
  return channel;
}

/** A raw TCP server for misbehaving peers; every socket it accepted is destroyed by `cleanup`. */
export async function startRawServer(
  cleanup: Cleanup,
  onSocket: (socket: Socket) => void,
): Promise<{ address: string; server: NetServer; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanup.add(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return { address: `127.0.0.1:${address.port}`, server, sockets };
}

/** Resolves with the error `promise` rejects with; fails the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    const value = await promise;
    throw new Error(`expected a rejection, got ${JSON.stringify(value)}`);
  } catch (error) {
    return error;
  }
}

/** Resolves on the next `event` of `emitter`. */
export function nextEvent(emitter: NodeJS.EventEmitter, event: string): Promise<unknown[]> {
  return new Promise((resolve) => emitter.once(event, (...args: unknown[]) => resolve(args)));
}
