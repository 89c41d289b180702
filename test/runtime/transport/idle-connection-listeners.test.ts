/**
 * What an idle connection keeps on its socket: the server's error and close
 * listeners and the connection's own are functions shared by every connection
 * (no closure per connection), and the socket has at most two close listeners
 * (a third grows Node's listener array from 2 slots to 19). The placeholder of
 * a socket whose protocol is not known yet goes the same way out.
 */
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { EchoService } from "./fixtures/echo-service.js";
import { Cleanup, capturingLogger, openChannel } from "./harness.js";
import { serverSeeingSockets } from "./socket-seeing-server.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

describe("listeners of an idle connection's socket", () => {
  it("rpcgen frames: the same functions on every socket, two close listeners", async () => {
    const { address, accepted } = await serverSeeingSockets(cleanup, { logger: capturingLogger() });
    for (let i = 0; i < 2; i++) {
      const channel = openChannel(cleanup, { address });
      await expect(channel.invoke(EchoService.methods.echo!, ["hello"])).resolves.toBe("hello");
    }
    expect(accepted).toHaveLength(2);
    const [first, second] = accepted as [Socket, Socket];
    for (const event of ["close", "error", "data"]) {
      expect(second.listeners(event)).toEqual(first.listeners(event));
    }
    expect(first.listeners("close")).toHaveLength(2);
    expect(first.listeners("error")).toHaveLength(1);
  });

  it("a socket closed before its protocol is known leaves the server's count", async () => {
    const { server, address, accepted } = await serverSeeingSockets(cleanup, { logger: capturingLogger() });
    const [host, port] = address.split(":") as [string, string];
    const silent = connect({ host, port: Number(port) });
    await expect.poll(() => server.connectionCount).toBe(1);
    // Only the server's listeners, the same for every socket: the placeholder needs none of its own.
    expect(accepted[0]!.listeners("close")).toHaveLength(1);
    silent.destroy();
    await expect.poll(() => server.connectionCount).toBe(0);
  });
});
