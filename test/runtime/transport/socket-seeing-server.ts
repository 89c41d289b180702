import { createServer, type Socket } from "node:net";
import { Server, type ServerOptions } from "@rpcgen/runtime";
import { EchoService, echoHandler } from "./fixtures/echo-service.js";
import type { Cleanup } from "./harness.js";

/** A Server with the Echo service, and the sockets it was handed (as accepted, before it added its listeners). */
export interface SocketSeeingServer {
  server: Server;
  address: string;
  accepted: Socket[];
}

/**
 * A Server fed by a net.Server of the test's own through Server.handle, so
 * that the test sees the sockets the server serves; closed by `cleanup`.
 */
export async function serverSeeingSockets(cleanup: Cleanup, options: ServerOptions): Promise<SocketSeeingServer> {
  const server = new Server(options);
  server.addService(EchoService, echoHandler());
  const accepted: Socket[] = [];
  const front = createServer((socket) => {
    accepted.push(socket);
    server.handle(socket);
  });
  await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
  cleanup.add(async () => {
    await server.close({ graceMs: 0 });
    await new Promise<void>((resolve) => front.close(() => resolve()));
  });
  const address = front.address();
  if (address === null || typeof address === "string") throw new Error("no TCP address");
  return { server, address: `127.0.0.1:${address.port}`, accepted };
}
