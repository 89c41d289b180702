import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll } from "vitest";
import type { ServerOptions } from "../../../runtime/server/server-options.js";
import { startChaosServer, type ChaosServer } from "./chaos-process.js";

/** A test file's chaos server, and the raw connections its tests open to it. */
export interface ChaosFixture {
  /** The server (set once the file's beforeAll ran). */
  readonly server: ChaosServer;
  /** Every raw connection openSocket opened, in order. */
  readonly sockets: readonly Socket[];
  /**
   * Opens a raw connection to the server, resolved once connected. Its errors
   * are expected (the server closes hostile connections) and ignored; it is
   * destroyed after the file's tests.
   */
  openSocket(): Promise<Socket>;
  /** Destroys the connections opened so far (between tests that each open many). */
  destroySockets(): void;
}

/** One chaos server process for the whole test file: started before its tests, stopped (with every socket they opened) after. */
export function useChaosServer(options: Omit<ServerOptions, "logger"> = {}): ChaosFixture {
  let server: ChaosServer | undefined;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    server = await startChaosServer(options);
  });
  const destroySockets = () => {
    for (const socket of sockets.splice(0)) socket.destroy();
  };
  afterAll(async () => {
    destroySockets();
    await server?.stop();
  });
  return {
    get server() {
      if (server === undefined) throw new Error("the chaos server starts in beforeAll");
      return server;
    },
    sockets,
    async openSocket() {
      const socket = connect({ host: "127.0.0.1", port: this.server.port });
      sockets.push(socket);
      socket.on("error", () => {});
      await once(socket, "connect");
      return socket;
    },
    destroySockets,
  };
}
