import { afterEach, describe, expect, it } from "vitest";
import { Code, RpcError, Server, type ServerOptions } from "@rpcgen/runtime";
import { CodecId, FrameKind, type Frame } from "@rpcgen/runtime/internal/wire/frame.js";
import { binaryCodec } from "@rpcgen/runtime/internal/codec/binary-codec.js";
import { startDeadlineStrippingProxy } from "./fixtures/deadline-stripping-proxy.js";
import { EchoService, echoHandler } from "./fixtures/echo-service.js";
import { RawFrameClient, callFrame, cancelFrame } from "./fixtures/raw-frame-client.js";
import { SignalProbe } from "./fixtures/signal-probe.js";
import { Cleanup, capturingLogger, openChannel, rejectionOf } from "./harness.js";

const m = EchoService.methods;
const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** The Echo service with `slow` replaced by a SignalProbe, on 127.0.0.1 port 0. */
async function startProbedServer(options: ServerOptions = {}) {
  const logger = capturingLogger();
  const probe = new SignalProbe();
  const server = new Server({ logger, ...options });
  server.addService(EchoService, { ...echoHandler(), slow: probe.slow });
  const { host, port } = await server.listen({ host: "127.0.0.1", port: 0 });
  cleanup.add(() => server.close({ graceMs: 0 }));
  return { address: `${host}:${port}`, probe, logger };
}

async function rawClient(address: string): Promise<RawFrameClient> {
  const client = await RawFrameClient.connect(address);
  cleanup.add(() => client.destroy());
  return client;
}

const slowCall = (id: number): Frame =>
  callFrame(id, m.slow!.fullName, binaryCodec.encodeArgs(m.slow!, [60_000]), CodecId.Binary);
const pingFrame = (id: number): Frame => ({
  kind: FrameKind.Ping,
  requestId: id,
  method: "",
  codec: CodecId.Json,
  flags: 0,
  deadlineMs: 0,
  metadata: undefined,
  body: new Uint8Array(0),
});
const echoCall = (id: number, text: string): Frame =>
  callFrame(id, m.echo!.fullName, binaryCodec.encodeArgs(m.echo!, [text]), CodecId.Binary);

function echoed(frame: Frame): unknown {
  expect(frame.kind).toBe(FrameKind.Reply);
  return binaryCodec.decodeOutcome(m.echo!, frame.body).value;
}

function expectCancelledByCaller(reason: unknown): void {
  expect(reason).toBeInstanceOf(RpcError);
  expect((reason as RpcError).code).toBe(Code.CANCELLED);
  expect((reason as RpcError).message).toMatch(/Echo\.slow was cancelled by the caller/);
}

describe("cancellation reaches the server", () => {
  it("aborts the handler's signal with CANCELLED when the caller aborts", async () => {
    const { address, probe } = await startProbedServer();
    const channel = openChannel(cleanup, { address });
    const controller = new AbortController();
    const call = rejectionOf(channel.invoke(m.slow!, [60_000], { signal: controller.signal }));
    await probe.progress.until(() => probe.started.length === 1);
    controller.abort(new Error("user clicked stop"));
    expect(((await call) as RpcError).code).toBe(Code.CANCELLED);
    await probe.progress.until(() => probe.aborts.length === 1);
    const [seen] = probe.aborts;
    expect(seen!.aborted).toBe(true);
    expect(seen!.context.signal.aborted).toBe(true);
    expectCancelledByCaller(seen!.reason);
    expect(channel.pendingCalls).toBe(0);
    await expect(channel.invoke(m.echo!, ["after"])).resolves.toBe("after");
  });

  it("aborts the handler when the deadline passes on the client, though the server had none", async () => {
    const { address: serverAddress, probe } = await startProbedServer();
    const proxy = await startDeadlineStrippingProxy(cleanup, serverAddress);
    const channel = openChannel(cleanup, { address: proxy.address });
    const error = (await rejectionOf(channel.invoke(m.slow!, [60_000], { timeoutMs: 100 }))) as RpcError;
    expect(error.code).toBe(Code.DEADLINE_EXCEEDED);
    await probe.progress.until(() => probe.aborts.length === 1);
    expect(probe.started[0]!.deadline).toBeUndefined();
    expectCancelledByCaller(probe.aborts[0]!.reason);

    const [call, cancel, ...rest] = proxy.fromClient;
    expect(call!.kind).toBe(FrameKind.Call);
    expect(call!.deadlineMs).toBeGreaterThan(0);
    expect(cancel).toEqual({
      kind: FrameKind.Cancel,
      requestId: call!.requestId,
      method: "",
      codec: CodecId.Json,
      flags: 0,
      deadlineMs: 0,
      metadata: undefined,
      body: new Uint8Array(0),
    });
    expect(rest).toEqual([]);
  });

  it("sends no reply for a cancelled call", async () => {
    const { address, probe } = await startProbedServer();
    const client = await rawClient(address);
    client.send(slowCall(7));
    await probe.progress.until(() => probe.started.length === 1);
    client.send(cancelFrame(7));
    await probe.progress.until(() => probe.returned === 1);
    expectCancelledByCaller(probe.aborts[0]!.reason);
    // Frames go out in order: had the handler's rejection been answered, it would come first.
    client.send(echoCall(8, "still here"));
    expect(echoed(await client.answerTo(8))).toBe("still here");
    expect(client.received.map((frame) => frame.requestId)).toEqual([8]);
  });

  it("stops a call cancelled in the same chunk that carried it", async () => {
    const { address, probe } = await startProbedServer();
    const client = await rawClient(address);
    client.send(slowCall(3), cancelFrame(3), echoCall(4, "next"));
    expect(echoed(await client.answerTo(4))).toBe("next");
    await probe.progress.until(() => probe.returned === 1);
    expectCancelledByCaller(probe.aborts[0]!.reason);
    client.send(echoCall(5, "last"));
    expect(echoed(await client.answerTo(5))).toBe("last");
    expect(client.received.map((frame) => frame.requestId)).toEqual([4, 5]);
  });

  it("frees the request id at once but the in-flight slot only when the handler returns", async () => {
    const { address, probe } = await startProbedServer({ maxInFlightPerConnection: 2 });
    let release = (): void => {};
    probe.hold = new Promise((resolve) => (release = resolve));
    const client = await rawClient(address);
    client.send(slowCall(5));
    await probe.progress.until(() => probe.started.length === 1);
    client.send(cancelFrame(5));
    await probe.progress.until(() => probe.aborts.length === 1);
    expect(probe.returned).toBe(0);

    // The aborted handler still runs, yet its id may already carry a new call.
    client.send(echoCall(5, "reused"));
    expect(echoed(await client.answerTo(5))).toBe("reused");

    // It still holds a slot: with another call running, the connection is full and
    // a further call waits (held, not started) until a handler returns.
    client.send(slowCall(6));
    await probe.progress.until(() => probe.started.length === 2);
    // One write, so one chunk: the ping's pong proves the server has read (and held) 7 and 8.
    client.send(echoCall(7, "waits"), echoCall(8, "cancelled while held"), cancelFrame(8), pingFrame(70));
    expect((await client.answerTo(70)).kind).toBe(FrameKind.Pong);
    const answered7 = client.answerTo(7);
    expect(client.received.map((frame) => frame.requestId)).toEqual([5, 70]);

    release();
    await probe.progress.until(() => probe.returned >= 1);
    expect(echoed(await answered7)).toBe("waits");
    client.send(echoCall(9, "in time"));
    expect(echoed(await client.answerTo(9))).toBe("in time");
    // The held call that was cancelled never started, so it was never answered.
    expect(client.received.map((frame) => frame.requestId)).toEqual([5, 70, 7, 9]);
    expect(client.closed).toBe(false);
  });

  it("keeps reading after the only call held at the in-flight limit is cancelled", async () => {
    const { address, probe } = await startProbedServer({ maxInFlightPerConnection: 1 });
    const client = await rawClient(address);
    client.send(slowCall(10));
    await probe.progress.until(() => probe.started.length === 1);
    // 11 is held (the one slot is taken), then cancelled while held.
    client.send(echoCall(11, "held, then cancelled"), cancelFrame(11), pingFrame(12));
    expect((await client.answerTo(12)).kind).toBe(FrameKind.Pong);
    // Were the connection still paused, this cancel would never be read.
    client.send(cancelFrame(10));
    await probe.progress.until(() => probe.returned === 1);
    client.send(echoCall(13, "after"));
    expect(echoed(await client.answerTo(13))).toBe("after");
    expect(client.received.map((frame) => frame.requestId)).toEqual([12, 13]);
  });

  it("ignores a cancel for an id it does not know, and keeps the connection working", async () => {
    const { address, logger } = await startProbedServer();
    const client = await rawClient(address);
    client.send(cancelFrame(999), echoCall(1, "one"));
    expect(echoed(await client.answerTo(1))).toBe("one");
    // Cancelling a call that was already answered is just as harmless.
    client.send(cancelFrame(1), echoCall(2, "two"));
    expect(echoed(await client.answerTo(2))).toBe("two");
    expect(client.received.map((frame) => frame.requestId)).toEqual([1, 2]);
    expect(client.closed).toBe(false);
    expect(logger.entries.filter((entry) => entry.level !== "debug")).toEqual([]);
  });

  it("cancels many calls at once under load while the others complete", async () => {
    const { address, probe } = await startProbedServer();
    const channel = openChannel(cleanup, { address });
    const count = 200;
    const controllers = Array.from({ length: count }, () => new AbortController());
    const cancelled = controllers.map((controller) =>
      rejectionOf(channel.invoke(m.slow!, [60_000], { signal: controller.signal })),
    );
    const before = Array.from({ length: count }, (_, i) => channel.invoke(m.add!, [i, 1]));
    await probe.progress.until(() => probe.started.length === count);
    // Cancel every slow call in one turn, with more calls issued in the same batch.
    for (const controller of controllers) controller.abort();
    const after = Array.from({ length: count }, (_, i) => channel.invoke(m.add!, [i, 2]));

    for (const error of await Promise.all(cancelled)) expect((error as RpcError).code).toBe(Code.CANCELLED);
    expect(await Promise.all(before)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    expect(await Promise.all(after)).toEqual(Array.from({ length: count }, (_, i) => i + 2));
    await probe.progress.until(() => probe.returned === count);
    expect(probe.aborts).toHaveLength(count);
    for (const seen of probe.aborts) expectCancelledByCaller(seen.reason);
    expect(channel.pendingCalls).toBe(0);
  });
});
