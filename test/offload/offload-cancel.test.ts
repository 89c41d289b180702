import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { Code, type OffloadOptions, RpcError } from "@rpcgen/runtime";
import { binaryCodec } from "@rpcgen/runtime/internal/codec/binary-codec.js";
import { CodecId } from "@rpcgen/runtime/internal/wire/frame.js";
import { callFrame, RawFrameClient } from "../runtime/transport/fixtures/raw-frame-client.js";
import { Cleanup } from "../runtime/transport/harness.js";
import { WorkService } from "./fixtures/work-service.js";
import { logged, startWorkServer, workHandlersModule } from "./offload-harness.js";
import { ReportListener } from "./report-listener.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

function listen(): ReportListener {
  const listener = new ReportListener();
  cleanup.add(() => listener.close());
  return listener;
}

/** One thread, so "the same thread" and "a new thread" can be told apart; handlers that stop in time are never recycled. */
function oneThread(recycleAfterMs: number): OffloadOptions {
  const module = workHandlersModule;
  return {
    threads: 1,
    recycleAfterMs,
    services: { Work: module },
    methods: { "Work.threadId": module, "Work.spin": module, "Work.sleep": module, "Work.stubborn": module },
  };
}

/**
 * Sends one call with a deadline from a client that never cancels it, so only
 * the server's own deadline can stop the handler. (The server sends no reply
 * to a call past its deadline: the caller has given up.)
 */
async function sendWithDeadline(address: string, name: keyof typeof WorkService.methods, args: unknown[], deadlineMs: number): Promise<void> {
  const client = await RawFrameClient.connect(address);
  cleanup.add(() => client.destroy());
  const method = WorkService.methods[name]!;
  client.send({ ...callFrame(1, method.fullName, binaryCodec.encodeArgs(method, args), CodecId.Binary), deadlineMs });
}

async function rejection(promise: Promise<unknown>): Promise<RpcError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(RpcError);
  return error as RpcError;
}

describe("cancellation and deadlines of offloaded calls", () => {
  it("a caller's cancel stops waiting at once and reaches a handler that computes without yielding", async () => {
    const reports = listen();
    const work = await startWorkServer(cleanup, oneThread(60_000));
    const thread = await work.call("threadId", []);
    const controller = new AbortController();
    const running = work.call("spin", [20_000, "spin-cancel"], { signal: controller.signal });
    await sleep(200);
    const abortedAt = performance.now();
    controller.abort();
    expect((await rejection(running)).code).toBe(Code.CANCELLED);
    expect(performance.now() - abortedAt).toBeLessThan(500);

    const report = await reports.next("spin-cancel", 3000);
    expect(report).toMatchObject({ event: "aborted", code: Code.CANCELLED, threadId: thread });
    // The handler stopped, so the same thread is free again long before its 20 s were up.
    const freedAt = performance.now();
    expect(await work.call("threadId", [])).toBe(thread);
    expect(performance.now() - freedAt).toBeLessThan(2000);
  });

  it("a deadline reaches a handler that awaits, through its signal", async () => {
    const reports = listen();
    const work = await startWorkServer(cleanup, oneThread(60_000));
    const thread = await work.call("threadId", []);
    const sentAt = performance.now();
    await sendWithDeadline(work.address, "sleep", [20_000, "sleep-deadline"], 200);
    const report = await reports.next("sleep-deadline", 3000);
    expect(report).toMatchObject({ event: "aborted", code: Code.DEADLINE_EXCEEDED, threadId: thread });
    expect(performance.now() - sentAt).toBeGreaterThanOrEqual(190);
    expect(await work.call("threadId", [])).toBe(thread);
  });

  it("a deadline reaches a handler that computes without yielding", async () => {
    const reports = listen();
    const work = await startWorkServer(cleanup, oneThread(60_000));
    const thread = await work.call("threadId", []);
    const sentAt = performance.now();
    await sendWithDeadline(work.address, "spin", [20_000, "spin-deadline"], 200);
    const report = await reports.next("spin-deadline", 3000);
    expect(report).toMatchObject({ event: "aborted", code: Code.DEADLINE_EXCEEDED, threadId: thread });
    expect(performance.now() - sentAt).toBeGreaterThanOrEqual(190);
    expect(await work.call("threadId", [])).toBe(thread);
  });

  it("recycles a thread whose handler ignores its signal long past the deadline", async () => {
    const work = await startWorkServer(cleanup, oneThread(200));
    const thread = await work.call("threadId", []);
    const error = await rejection(work.call("stubborn", [20_000], { timeoutMs: 150 }));
    expect(error.code).toBe(Code.DEADLINE_EXCEEDED);

    // A new thread serves the next call, long before the stubborn handler's 20 s.
    const startedAt = performance.now();
    const next = await work.call("threadId", []);
    expect(next).not.toBe(thread);
    expect(performance.now() - startedAt).toBeLessThan(10_000);
    expect(logged(work.logger.entries, "offload worker recycled")).toHaveLength(1);
  });

  it("a call cancelled while it waits in the queue never runs", async () => {
    const reports = listen();
    const work = await startWorkServer(cleanup, oneThread(60_000));
    const busy = work.call("spin", [400, "busy"]);
    const controller = new AbortController();
    const queued = work.call("spin", [400, "queued"], { signal: controller.signal });
    await sleep(100);
    controller.abort();
    expect((await rejection(queued)).code).toBe(Code.CANCELLED);
    expect(await busy).toBe("done");
    // Had it run, it would have reported its abort or been served before this call.
    expect(await work.call("spin", [10, "after"])).toBe("done");
    await expect(reports.next("queued", 300)).rejects.toThrow(/no report/);
  });
});
