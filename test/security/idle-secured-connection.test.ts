/**
 * What an idle connection of a secured server keeps on the socket the server
 * accepted, once the client has authenticated (by token, or by its client
 * certificate): nothing of its guard (the authentication deadline's close hook
 * goes with the deadline), the server's listeners shared by every connection,
 * at most two close listeners (a third grows Node's listener array from 2
 * slots to 19). A client that never authenticates is still closed in time.
 */
import type { Socket } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Channel, clientCertificateAuthenticator, silentLogger, staticTokenAuthenticator, type ChannelOptions } from "@rpcgen/runtime";
import { EchoService } from "../runtime/transport/fixtures/echo-service.js";
import { Cleanup } from "../runtime/transport/harness.js";
import { serverSeeingSockets } from "../runtime/transport/socket-seeing-server.js";
import { makeTestCa, type TestCa } from "./support/test-ca.js";

let ca: TestCa;
const cleanup = new Cleanup();
beforeAll(() => {
  ca = makeTestCa();
});
afterEach(() => cleanup.run());
afterAll(() => ca?.remove());

/** Two connections, each of which made one call, then idle. */
async function twoAuthenticated(address: string, options: Partial<ChannelOptions>): Promise<void> {
  for (let i = 0; i < 2; i++) {
    const channel = new Channel({ address, logger: silentLogger, ...options });
    cleanup.add(() => channel.destroy());
    await expect(channel.invoke(EchoService.methods.echo!, ["hello"])).resolves.toBe("hello");
  }
}

/**
 * The server's listeners (the first of each event) are the same functions on
 * both sockets; with TLS, node:tls adds closures of its own after them.
 */
function expectSharedListeners(accepted: Socket[], tls = false): void {
  expect(accepted).toHaveLength(2);
  const [first, second] = accepted as [Socket, Socket];
  for (const event of ["close", "error", "data"]) {
    if (tls) expect(second.listeners(event)[0]).toBe(first.listeners(event)[0]);
    else expect(second.listeners(event)).toEqual(first.listeners(event));
  }
  expect(first.listeners("close").length).toBeLessThanOrEqual(2);
}

describe("an authenticated idle connection", () => {
  it("by token: no listener of its guard, no deadline", async () => {
    const { address, accepted } = await serverSeeingSockets(cleanup, {
      logger: silentLogger,
      auth: { authenticate: staticTokenAuthenticator(["s3cret"]), timeoutMs: 200 },
    });
    await twoAuthenticated(address, { token: "s3cret" });
    expectSharedListeners(accepted);
    // Past the deadline: authenticated connections stay open.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(accepted.every((socket) => !socket.destroyed)).toBe(true);
  });

  it("by client certificate, over TLS: the raw socket keeps only shared listeners", async () => {
    const { address, accepted } = await serverSeeingSockets(cleanup, {
      logger: silentLogger,
      tls: { certFile: ca.server.cert, keyFile: ca.server.key, caFile: ca.ca, watch: false, reloadSignal: false },
      auth: { authenticate: clientCertificateAuthenticator(), timeoutMs: 200 },
    });
    await twoAuthenticated(address, { tls: { caFile: ca.ca, certFile: ca.client.cert, keyFile: ca.client.key } });
    expectSharedListeners(accepted, true);
  });

  it("a client that never authenticates is closed at the deadline; one that leaves first is simply gone", async () => {
    const { server, address, accepted } = await serverSeeingSockets(cleanup, {
      logger: silentLogger,
      auth: { authenticate: staticTokenAuthenticator(["s3cret"]), timeoutMs: 200 },
    });
    const silent = new Channel({ address, logger: silentLogger, defaultTimeoutMs: 0 });
    cleanup.add(() => silent.destroy());
    // A public call would lift the deadline; an unknown one does not, and detection needs a first frame.
    await expect(silent.invoke(EchoService.methods.echo!, ["no token"])).rejects.toThrow();
    const leaving = new Channel({ address, logger: silentLogger });
    await expect(leaving.invoke(EchoService.methods.echo!, ["no token"])).rejects.toThrow();
    leaving.destroy();
    await expect.poll(() => accepted.every((socket) => socket.destroyed), { timeout: 2000 }).toBe(true);
    await expect.poll(() => server.connectionCount).toBe(0);
  });
});
