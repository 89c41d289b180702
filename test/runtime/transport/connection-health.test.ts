import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Code, RpcError } from "@rpcgen/runtime";
import { CodecId, FrameKind } from "@rpcgen/runtime/internal/wire/frame.js";
import { FrameDecoder } from "@rpcgen/runtime/internal/wire/frame-decoder.js";
import { binaryCodec } from "@rpcgen/runtime/internal/codec/binary-codec.js";
import { encodeFrame } from "@rpcgen/runtime/internal/wire/frame-encoder.js";
import { EchoService } from "./fixtures/echo-service.js";
import { Cleanup, nextEvent, openChannel, rejectionOf, startEchoServer, startRawServer } from "./harness.js";

const m = EchoService.methods;
const cleanup = new Cleanup();
afterEach(() => cleanup.run());

describe("heartbeats", () => {
  it("fails pending calls with UNAVAILABLE when the peer stops answering pings", async () => {
    // Reads everything, answers nothing: neither replies nor pongs.
    const { address } = await startRawServer(cleanup, (socket) => socket.resume());
    const channel = openChannel(cleanup, {
      address,
      heartbeatIntervalMs: 100,
      defaultTimeoutMs: 0,
    });
    const error = (await rejectionOf(channel.invoke(m.echo!, ["anyone?"]))) as RpcError;
    expect(error).toBeInstanceOf(RpcError);
    expect(error.code).toBe(Code.UNAVAILABLE);
    expect(error.message).toContain("heartbeat");
    // No deadline was set (defaultTimeoutMs 0): only the heartbeat can have ended the call.
    expect(channel.pendingCalls).toBe(0);
  });

  it("keeps an idle connection to a live server open across many heartbeat intervals", async () => {
    const { address, server } = await startEchoServer(cleanup);
    const channel = openChannel(cleanup, { address, heartbeatIntervalMs: 20 });
    let disconnected = false;
    channel.on("disconnected", () => (disconnected = true));
    await channel.invoke(m.echo!, ["first"]);
    // A server-side call that outlasts ten intervals: only pongs flow meanwhile.
    await expect(channel.invoke(m.slow!, [250])).resolves.toBe("slept 250");
    expect(disconnected).toBe(false);
    expect(server.connectionCount).toBe(1);
  });
});

describe("back-pressure", () => {
  it("fails fast with RESOURCE_EXHAUSTED when the peer stops reading, with bounded memory", async () => {
    // Accepts the connection and never reads from it.
    const { address } = await startRawServer(cleanup, (socket) => socket.pause());
    const maxPendingBytes = 1024 * 1024;
    const channel = openChannel(cleanup, {
      address,
      maxPendingBytes,
      defaultTimeoutMs: 0,
      heartbeatIntervalMs: 0,
    });
    const payload = new Uint8Array(64 * 1024).fill(1);
    const accepted: Promise<unknown>[] = [];
    let refusal: RpcError | undefined;
    // Bounded: 2,000 × 64 KiB = 125 MiB would be sent if nothing pushed back.
    for (let i = 0; i < 2000 && refusal === undefined; i++) {
      const call = channel.invoke(m.blob!, [payload]);
      call.catch((error: unknown) => {
        if (error instanceof RpcError && error.code === Code.RESOURCE_EXHAUSTED) refusal ??= error;
      });
      accepted.push(call);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(refusal?.code).toBe(Code.RESOURCE_EXHAUSTED);
    // What was accepted is our limit plus what the kernel buffers took, far from 125 MiB.
    expect(accepted.length * payload.length).toBeLessThan(64 * 1024 * 1024);
    channel.destroy();
    await Promise.allSettled(accepted);
  });
});

describe("goaway", () => {
  it("sends new calls over a fresh connection after a goaway and lets pending ones finish", async () => {
    const { address, server } = await startEchoServer(cleanup, {
      idleTimeoutMs: 100,
    });
    const channel = openChannel(cleanup, { address });
    await channel.invoke(m.echo!, ["before"]);
    const goaway = nextEvent(channel, "goaway");
    const disconnected = nextEvent(channel, "disconnected");
    await goaway;
    const [, error] = await disconnected;
    expect(error).toBeUndefined();
    await expect(channel.invoke(m.echo!, ["after"])).resolves.toBe("after");
    expect(server.connectionCount).toBe(1);
  });
});

describe("a peer that is not an rpcgen server", () => {
  it("fails the call with INTERNAL naming the problem", async () => {
    const { address } = await startRawServer(cleanup, (socket) => {
      socket.resume();
      socket.end("HTTP/1.1 400 Bad Request\r\n\r\n");
    });
    const channel = openChannel(cleanup, { address });
    const error = (await rejectionOf(channel.invoke(m.echo!, ["x"]))) as RpcError;
    expect(error.code).toBe(Code.INTERNAL);
    expect(error.message).toContain("not rpcgen frames");
  });
});

describe("server back-pressure", () => {
  it("stops reading calls from a client that does not read its replies, and loses none", async () => {
    const { address, stats } = await startEchoServer(cleanup, {
      maxPendingBytes: 256 * 1024,
    });
    const [host, port] = address.split(":");
    const socket = connect({ host: host!, port: Number(port) });
    cleanup.add(() => void socket.destroy());
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.pause();
    const total = 400;
    const payload = new Uint8Array(64 * 1024).fill(3);
    const body = binaryCodec.encodeArgs(m.blob!, [payload]);
    for (let id = 1; id <= total; id++) {
      socket.write(
        encodeFrame({
          kind: FrameKind.Call,
          requestId: id,
          method: m.blob!.fullName,
          codec: CodecId.Binary,
          flags: 0,
          deadlineMs: 0,
          metadata: undefined,
          body,
        }),
      );
    }
    // Wait until the server stalls: no new call handled for 200 ms (bounded to 10 s).
    let handled = -1;
    for (let i = 0; i < 50 && handled !== (stats.calls.blob ?? 0); i++) {
      handled = stats.calls.blob ?? 0;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // 400 × 64 KiB = 25 MiB of replies would be queued without back-pressure.
    expect(handled).toBeLessThan(total);
    const replies: number[] = [];
    const allReplies = new Promise<void>((resolve) => {
      const decoder = new FrameDecoder((frame) => {
        replies.push(frame.requestId);
        if (replies.length === total) resolve();
      });
      socket.on("data", (chunk: Buffer) => decoder.push(chunk));
    });
    socket.resume();
    await allReplies;
    expect(new Set(replies).size).toBe(total);
    expect(stats.calls.blob).toBe(total);
  });
});
