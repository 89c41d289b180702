import { Channel, type Invoker, RespChannel, Server, type ServerOptions, silentLogger } from "@rpcgen/runtime";

/** The three ways a generated client reaches a server in these tests. */
export const transportNames = ["binary", "json", "resp"] as const;
export type TransportName = (typeof transportNames)[number];

/** An Invoker that can be closed. */
export type ClosableInvoker = Invoker & { close(): Promise<void> };

/** A started server on 127.0.0.1 and a free port. */
export interface RunningServer {
  server: Server;
  port: number;
  address: string;
}

/** Starts a Server on 127.0.0.1:0 after `register` added its services. */
export async function startServer(register: (server: Server) => void, options: ServerOptions = {}): Promise<RunningServer> {
  const server = new Server({ logger: silentLogger, ...options });
  register(server);
  const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
  return { server, port, address: `127.0.0.1:${port}` };
}

/** Opens an Invoker of the given transport to a server on 127.0.0.1:`port`. */
export function openInvoker(transport: TransportName, port: number): ClosableInvoker {
  if (transport === "resp") return new RespChannel({ host: "127.0.0.1", port });
  return new Channel({ address: `127.0.0.1:${port}`, codec: transport, logger: silentLogger });
}
