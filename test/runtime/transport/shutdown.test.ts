import { afterEach, describe, expect, it } from "vitest";
import { Code, RpcError } from "@rpcgen/runtime";
import { EchoService } from "./fixtures/echo-service.js";
import { Cleanup, openChannel, rejectionOf, startEchoServer } from "./harness.js";

const m = EchoService.methods;
const cleanup = new Cleanup();
afterEach(() => cleanup.run());

describe("graceful shutdown", () => {
  it("finishes every call in flight, sends goaway, and refuses new connections", async () => {
    const { address, server, stats } = await startEchoServer(cleanup);
    const channel = openChannel(cleanup, { address, poolSize: 2 });
    const goaways: string[] = [];
    channel.on("goaway", (from) => goaways.push(from));
    const inFlight = Array.from({ length: 50 }, (_, i) => channel.invoke(m.slow!, [100 + i]));
    // Wait until the server has every call, so none is still on the wire.
    while ((stats.calls.slow ?? 0) < 50) await new Promise((resolve) => setImmediate(resolve));
    const closing = server.close({ graceMs: 10_000 });
    const results = await Promise.all(inFlight);
    expect(results).toEqual(Array.from({ length: 50 }, (_, i) => `slept ${100 + i}`));
    await closing;
    expect(goaways.length).toBeGreaterThanOrEqual(1);
    expect(goaways.every((from) => from === address)).toBe(true);
    const error = (await rejectionOf(channel.invoke(m.echo!, ["too late"]))) as RpcError;
    expect(error.code).toBe(Code.UNAVAILABLE);
    expect(server.connectionCount).toBe(0);
  });

  it("cuts calls that outlast the grace period, aborting their handlers", async () => {
    const { address, server, stats } = await startEchoServer(cleanup);
    const channel = openChannel(cleanup, { address });
    const stuck = rejectionOf(channel.invoke(m.slow!, [60_000]));
    while ((stats.calls.slow ?? 0) < 1) await new Promise((resolve) => setImmediate(resolve));
    await server.close({ graceMs: 50 });
    const error = (await stuck) as RpcError;
    expect(error.code).toBe(Code.UNAVAILABLE);
    expect((stats.aborted[0] as RpcError).code).toBe(Code.CANCELLED);
  });

  it("lets a channel close gracefully: pending calls finish, new ones are refused", async () => {
    const { address, server } = await startEchoServer(cleanup);
    const channel = openChannel(cleanup, { address });
    const pending = channel.invoke(m.slow!, [100]);
    const closed = channel.close();
    const refused = (await rejectionOf(channel.invoke(m.echo!, ["no"]))) as RpcError;
    expect(refused.code).toBe(Code.UNAVAILABLE);
    await expect(pending).resolves.toBe("slept 100");
    await closed;
    while (server.connectionCount > 0) await new Promise((resolve) => setTimeout(resolve, 5));
  });

  it("destroy() rejects pending calls at once", async () => {
    const { address } = await startEchoServer(cleanup);
    const channel = openChannel(cleanup, { address });
    const pending = rejectionOf(channel.invoke(m.slow!, [60_000]));
    await channel.ping();
    channel.destroy(new RpcError(Code.ABORTED, "shutting down the client"));
    const error = (await pending) as RpcError;
    expect(error.code).toBe(Code.ABORTED);
  });
});
