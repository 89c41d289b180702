import { afterEach, describe, expect, it } from "vitest";
import { Code, RpcError, type MethodDescriptor } from "@rpcgen/runtime";
import { CalcError, EchoService } from "./fixtures/echo-service.js";
import { Cleanup, openChannel, rejectionOf, startEchoServer } from "./harness.js";

const m = EchoService.methods;
const cleanup = new Cleanup();
afterEach(() => cleanup.run());

describe.each(["binary", "json"] as const)("calls over the %s codec", (codec) => {
  it("returns results, including an i32 sum and a string", async () => {
    const { address } = await startEchoServer(cleanup);
    const channel = openChannel(cleanup, { address, codec });
    await expect(channel.invoke(m.echo!, ["héllo"])).resolves.toBe("héllo");
    await expect(channel.invoke(m.add!, [2, 40])).resolves.toBe(42);
  });

  it("rejects with the declared exception class itself", async () => {
    const { address } = await startEchoServer(cleanup);
    const channel = openChannel(cleanup, { address, codec });
    const error = await rejectionOf(channel.invoke(m.divide!, [7, 0]));
    expect(error).toBeInstanceOf(CalcError);
    expect((error as CalcError).reason).toBe("cannot divide 7 by zero");
    await expect(channel.invoke(m.divide!, [7, 2])).resolves.toBe(3);
  });

  it("resolves a oneway call once written, and the server runs it", async () => {
    const { address, stats } = await startEchoServer(cleanup);
    const channel = openChannel(cleanup, { address, codec });
    const arrived = new Promise<string>((resolve) => (stats.onFire = resolve));
    await expect(channel.invoke(m.fire!, ["ping"])).resolves.toBeUndefined();
    await expect(arrived).resolves.toBe("ping");
  });

  it("carries large bodies (compressed over the threshold)", async () => {
    const { address } = await startEchoServer(cleanup, {
      compressThresholdBytes: 1024,
    });
    const channel = openChannel(cleanup, {
      address,
      codec,
      compressThresholdBytes: 1024,
    });
    const data = new Uint8Array(200_000).fill(7);
    const echoed = (await channel.invoke(m.blob!, [data])) as Uint8Array;
    expect(Buffer.from(echoed).equals(Buffer.from(data))).toBe(true);
  });
});

describe("errors", () => {
  it("hides an undeclared handler error behind INTERNAL and logs it on the server", async () => {
    const { address, logger } = await startEchoServer(cleanup);
    const channel = openChannel(cleanup, { address });
    const error = await rejectionOf(channel.invoke(m.crash!, []));
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe(Code.INTERNAL);
    expect((error as RpcError).message).not.toContain("hunter2");
    const logged = logger.entries.find((entry) => entry.level === "error");
    expect(String((logged?.fields as { err?: Error }).err?.message)).toContain("hunter2");
  });

  it("passes an RpcError thrown by a handler through with its code and message", async () => {
    const { address } = await startEchoServer(cleanup);
    const channel = openChannel(cleanup, { address, codec: "json" });
    const error = (await rejectionOf(channel.invoke(m.refuse!, ["PERMISSION_DENIED"]))) as RpcError;
    expect(error.code).toBe(Code.PERMISSION_DENIED);
    expect(error.message).toBe("refused with PERMISSION_DENIED");
  });

  it("answers UNIMPLEMENTED for a method the server does not have", async () => {
    const { address } = await startEchoServer(cleanup);
    const channel = openChannel(cleanup, { address });
    const unknown: MethodDescriptor = {
      ...m.echo!,
      name: "nope",
      jsName: "nope",
      fullName: "Echo.nope",
    };
    const error = (await rejectionOf(channel.invoke(unknown, ["x"]))) as RpcError;
    expect(error.code).toBe(Code.UNIMPLEMENTED);
  });

  it("answers INVALID_ARGUMENT for arguments the server cannot decode", async () => {
    const { address, stats } = await startEchoServer(cleanup);
    const channel = openChannel(cleanup, { address, codec: "json" });
    // Same wire name, but the client encodes a string where the server expects i32.
    const mismatched: MethodDescriptor = {
      ...m.add!,
      args: {
        ...m.add!.args,
        fields: [{ ...m.add!.args.fields[0]!, type: { kind: "string" } }],
      },
    };
    const error = (await rejectionOf(channel.invoke(mismatched, ["not a number"]))) as RpcError;
    expect(error.code).toBe(Code.INVALID_ARGUMENT);
    expect(stats.calls.add).toBeUndefined();
  });

  it("maps a refused connection to UNAVAILABLE, keeping the socket error as cause", async () => {
    const { address, server } = await startEchoServer(cleanup);
    await server.close({ graceMs: 0 });
    const channel = openChannel(cleanup, { address });
    const error = (await rejectionOf(channel.invoke(m.echo!, ["x"]))) as RpcError;
    expect(error.code).toBe(Code.UNAVAILABLE);
    expect((error.cause as NodeJS.ErrnoException).code).toBe("ECONNREFUSED");
    // Within the backoff the channel fails fast, still with the cause.
    const again = (await rejectionOf(channel.invoke(m.echo!, ["x"]))) as RpcError;
    expect(again.code).toBe(Code.UNAVAILABLE);
  });
});

describe("multiplexing", () => {
  it("completes 10,000 concurrent calls on one connection", async () => {
    const { address, server } = await startEchoServer(cleanup, {
      maxInFlightPerConnection: 20_000,
    });
    const channel = openChannel(cleanup, { address, poolSize: 1 });
    const calls = Array.from({ length: 10_000 }, (_, i) => channel.invoke(m.add!, [i, 1]));
    expect(channel.pendingCalls).toBe(10_000);
    const results = await Promise.all(calls);
    results.forEach((value, i) => expect(value).toBe(i + 1));
    expect(server.connectionCount).toBe(1);
    expect(channel.pendingCalls).toBe(0);
  });

  it("runs no timer per call: 1,000 calls with deadlines add at most the wheel's and the heartbeat's", async () => {
    const { address } = await startEchoServer(cleanup);
    const channel = openChannel(cleanup, { address });
    await channel.ping();
    const timers = (): number => process.getActiveResourcesInfo().filter((kind) => kind === "Timeout").length;
    const before = timers();
    const calls = Array.from({ length: 1000 }, (_, i) =>
      channel.invoke(m.slow!, [50 + (i % 10)], { timeoutMs: 5000 + i }),
    );
    expect(timers()).toBeLessThanOrEqual(before + 1);
    await Promise.all(calls);
  });

  it("spreads calls over a pool of connections opened lazily", async () => {
    const { address, server } = await startEchoServer(cleanup);
    const channel = openChannel(cleanup, { address, poolSize: 3 });
    await channel.invoke(m.echo!, ["one"]);
    expect(server.connectionCount).toBe(1);
    await Promise.all(Array.from({ length: 6 }, () => channel.invoke(m.echo!, ["x"])));
    expect(server.connectionCount).toBe(3);
  });

  it("reports the round-trip time of a ping", async () => {
    const { address } = await startEchoServer(cleanup);
    const channel = openChannel(cleanup, { address });
    const rtt = await channel.ping();
    expect(rtt).toBeGreaterThanOrEqual(0);
  });

  it("gives handlers a CallContext with metadata, peer and the carried deadline", async () => {
    const { address } = await startEchoServer(cleanup);
    const channel = openChannel(cleanup, { address });
    const seen = JSON.parse(
      (await channel.invoke(m.context!, ["tenant"], {
        metadata: { tenant: "acme" },
        timeoutMs: 60_000,
      })) as string,
    );
    expect(seen.method).toBe("Echo.context");
    expect(seen.service).toBe("Echo");
    expect(seen.value).toBe("acme");
    expect(seen.peer).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(seen.deadlineIn).toBeGreaterThan(0);
    expect(seen.deadlineIn).toBeLessThanOrEqual(60_000);
    expect(seen.aborted).toBe(false);
    const noDeadline = JSON.parse((await channel.invoke(m.context!, ["x"], { timeoutMs: 0 })) as string);
    expect(noDeadline.deadlineIn).toBeNull();
  });
});
