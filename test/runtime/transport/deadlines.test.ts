import { afterEach, describe, expect, it } from "vitest";
import { Code, RpcError } from "@rpcgen/runtime";
import { FrameDecoder } from "@rpcgen/runtime/internal/wire/frame-decoder.js";
import { FrameKind } from "@rpcgen/runtime/internal/wire/frame.js";
import { binaryCodec } from "@rpcgen/runtime/internal/codec/binary-codec.js";
import { encodeFrame } from "@rpcgen/runtime/internal/wire/frame-encoder.js";
import { EchoService } from "./fixtures/echo-service.js";
import { Cleanup, openChannel, rejectionOf, startEchoServer, startRawServer } from "./harness.js";

const m = EchoService.methods;
const cleanup = new Cleanup();
afterEach(() => cleanup.run());

describe("deadlines", () => {
  it("rejects with DEADLINE_EXCEEDED and aborts the handler's signal on the server", async () => {
    const { address, stats } = await startEchoServer(cleanup);
    const channel = openChannel(cleanup, { address });
    const aborted = new Promise<void>((resolve) => {
      const push = stats.aborted.push.bind(stats.aborted);
      stats.aborted.push = (...reasons: unknown[]) => {
        const n = push(...reasons);
        resolve();
        return n;
      };
    });
    const error = (await rejectionOf(channel.invoke(m.slow!, [60_000], { timeoutMs: 50 }))) as RpcError;
    expect(error).toBeInstanceOf(RpcError);
    expect(error.code).toBe(Code.DEADLINE_EXCEEDED);
    await aborted;
    // The server's own deadline and the client's cancel frame race to abort the handler.
    expect([Code.DEADLINE_EXCEEDED, Code.CANCELLED]).toContain((stats.aborted[0] as RpcError).code);
    expect(channel.pendingCalls).toBe(0);
  });

  it("takes the deadline from the method's hints when the call sets none", async () => {
    const { address } = await startEchoServer(cleanup);
    const channel = openChannel(cleanup, { address, defaultTimeoutMs: 0 });
    const error = (await rejectionOf(channel.invoke(m.slowHinted!, [60_000]))) as RpcError;
    expect(error.code).toBe(Code.DEADLINE_EXCEEDED);
  });

  it("falls back to the channel's default deadline", async () => {
    const { address } = await startEchoServer(cleanup);
    const channel = openChannel(cleanup, { address, defaultTimeoutMs: 40 });
    const error = (await rejectionOf(channel.invoke(m.slow!, [60_000]))) as RpcError;
    expect(error.code).toBe(Code.DEADLINE_EXCEEDED);
  });

  it("drops a reply that arrives after the deadline and keeps the connection working", async () => {
    // A hand-rolled server that answers the first call late and the others at once.
    let calls = 0;
    const { address } = await startRawServer(cleanup, (socket) => {
      const decoder = new FrameDecoder((frame) => {
        if (frame.kind !== FrameKind.Call) return;
        const body = binaryCodec.encodeOutcome(m.echo!, {
          fieldId: 0,
          value: `reply ${frame.requestId}`,
        });
        const reply = encodeFrame({
          ...frame,
          kind: FrameKind.Reply,
          method: "",
          deadlineMs: 0,
          body,
        });
        if (calls++ === 0) setTimeout(() => socket.write(reply), 150);
        else socket.write(reply);
      });
      socket.on("data", (chunk) => decoder.push(chunk));
    });
    const channel = openChannel(cleanup, { address, codec: "binary" });
    const late = (await rejectionOf(channel.invoke(m.echo!, ["a"], { timeoutMs: 30 }))) as RpcError;
    expect(late.code).toBe(Code.DEADLINE_EXCEEDED);
    // The late reply (id 1) lands while this call (id 2) waits; it must not be taken for it.
    const slowEnough = channel.invoke(m.echo!, ["b"], { timeoutMs: 5000 });
    await expect(slowEnough).resolves.toBe("reply 2");
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(channel.invoke(m.echo!, ["c"])).resolves.toBe("reply 3");
  });

  it("treats timeoutMs 0 and Infinity as no deadline and refuses a negative one", async () => {
    const { address } = await startEchoServer(cleanup);
    const channel = openChannel(cleanup, { address, defaultTimeoutMs: 20 });
    for (const timeoutMs of [0, Infinity]) {
      const seen = JSON.parse((await channel.invoke(m.context!, ["k"], { timeoutMs })) as string);
      expect(seen.deadlineIn).toBeNull();
    }
    const error = (await rejectionOf(channel.invoke(m.echo!, ["x"], { timeoutMs: -5 }))) as RpcError;
    expect(error.code).toBe(Code.INVALID_ARGUMENT);
  });

  it("carries the remaining deadline in the frame", async () => {
    const deadlines: number[] = [];
    const { address } = await startRawServer(cleanup, (socket) => {
      const decoder = new FrameDecoder((frame) => {
        deadlines.push(frame.deadlineMs);
        const body = binaryCodec.encodeOutcome(m.echo!, {
          fieldId: 0,
          value: "ok",
        });
        socket.write(
          encodeFrame({
            ...frame,
            kind: FrameKind.Reply,
            method: "",
            deadlineMs: 0,
            body,
          }),
        );
      });
      socket.on("data", (chunk) => decoder.push(chunk));
    });
    const channel = openChannel(cleanup, { address, codec: "binary" });
    await channel.invoke(m.echo!, ["a"], { timeoutMs: 1234 });
    expect(deadlines[0]).toBeGreaterThan(1000);
    expect(deadlines[0]).toBeLessThanOrEqual(1234);
  });

  it("does not start a call whose deadline passed while it waited on the server", async () => {
    const { address, stats } = await startEchoServer(cleanup);
    const channel = openChannel(cleanup, { address });
    // Both frames go out in one batch, so the server reads them from one chunk: the
    // first blocks the event loop for longer than the second call's deadline.
    const blocker = channel.invoke(m.block!, [300], { timeoutMs: 10_000 });
    const late = rejectionOf(channel.invoke(m.echo!, ["late"], { timeoutMs: 100 }));
    await blocker;
    const error = (await late) as RpcError;
    expect(error.code).toBe(Code.DEADLINE_EXCEEDED);
    expect(stats.calls.block).toBe(1);
    expect(stats.calls.echo).toBeUndefined();
  });
});

describe("cancellation", () => {
  it("rejects with CANCELLED when the signal aborts, and the server's handler is not waited for", async () => {
    const { address } = await startEchoServer(cleanup);
    const channel = openChannel(cleanup, { address });
    const controller = new AbortController();
    const call = channel.invoke(m.slow!, [60_000], {
      signal: controller.signal,
    });
    setImmediate(() => controller.abort(new Error("user clicked stop")));
    const error = (await rejectionOf(call)) as RpcError;
    expect(error.code).toBe(Code.CANCELLED);
    expect((error.cause as Error).message).toBe("user clicked stop");
    expect(channel.pendingCalls).toBe(0);
    await expect(channel.invoke(m.echo!, ["after"])).resolves.toBe("after");
  });

  it("rejects at once when the signal is already aborted", async () => {
    const { address, stats } = await startEchoServer(cleanup);
    const channel = openChannel(cleanup, { address });
    const error = (await rejectionOf(channel.invoke(m.echo!, ["x"], { signal: AbortSignal.abort() }))) as RpcError;
    expect(error.code).toBe(Code.CANCELLED);
    expect(stats.calls.echo).toBeUndefined();
  });
});
