import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { Code, type OffloadOptions, RpcError } from "@rpcgen/runtime";
import { Cleanup } from "../runtime/transport/harness.js";
import { brokenVariable } from "./fixtures/flaky-handlers.js";
import { WorkRefused } from "./fixtures/work-service.js";
import { logged, startWorkServer, workHandlersModule } from "./offload-harness.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const module = workHandlersModule;
/** Every method but `cheap` in one thread: `cheap` shows the event loop is unaffected. */
const oneThread: OffloadOptions = {
  threads: 1,
  services: { Work: module },
  methods: { "Work.threadId": module, "Work.refuse": module, "Work.fail": module },
};

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected the call to fail");
    },
    (error: unknown) => error,
  );
}

describe("what a handler in a worker throws", () => {
  it("a declared exception reaches the caller as its generated class, with its fields", async () => {
    const work = await startWorkServer(cleanup, oneThread);
    const error = await rejection(work.call("refuse", [5]));
    expect(error).toBeInstanceOf(WorkRefused);
    expect(error).toMatchObject({ reason: "more than 5", limit: 5 });
  });

  it("an RpcError keeps its code and message", async () => {
    const work = await startWorkServer(cleanup, oneThread);
    const error = await rejection(work.call("fail", ["rpc"]));
    expect(error).toBeInstanceOf(RpcError);
    expect(error).toMatchObject({ code: Code.PERMISSION_DENIED, message: "not for you" });
  });

  it("any other error is INTERNAL for the caller, logged with the worker's stack, and the thread lives on", async () => {
    const work = await startWorkServer(cleanup, oneThread);
    const thread = await work.call("threadId", []);
    const error = await rejection(work.call("fail", ["throw"]));
    expect(error).toMatchObject({ code: Code.INTERNAL, message: "internal error" });
    const [entry] = logged(work.logger.entries, "handler failed");
    const logged_ = (entry?.fields as { err?: Error } | undefined)?.err;
    expect(logged_?.message).toBe("failed on purpose");
    expect(logged_?.stack).toContain("work-handlers.ts");
    expect(await work.call("threadId", [])).toBe(thread);
  });
});

describe("a thread that dies", () => {
  for (const how of ["exit", "uncaught"] as const) {
    it(`(${how === "exit" ? "process.exit in the handler" : "a throw in the handler's timer"}) fails only its call, and a new thread takes over`, async () => {
      const work = await startWorkServer(cleanup, oneThread);
      const thread = await work.call("threadId", []);
      const dying = work.call("fail", [how]);
      // Queued behind the dying call: it must be served by the replacement.
      const queued = work.call("heavy", [20]);
      const inline = work.call("cheap", ["still here"]);

      expect(await rejection(dying)).toMatchObject({ code: Code.INTERNAL });
      expect(await inline).toBe("still here");
      expect(typeof (await queued)).toBe("string");
      const replacement = await work.call("threadId", []);
      expect(replacement).not.toBe(thread);
      expect(logged(work.logger.entries, "offload worker died while running a call")).toHaveLength(1);
    });
  }
});

describe("a replacement thread that cannot load its module", () => {
  it("fails the calls waiting for it instead of spinning, and a later call starts a thread again", async () => {
    const flaky = new URL("./fixtures/flaky-handlers.ts", import.meta.url);
    const work = await startWorkServer(cleanup, { threads: 1, services: { Work: flaky }, methods: { "Work.threadId": flaky, "Work.fail": flaky } });
    const thread = await work.call("threadId", []);
    process.env[brokenVariable] = "1";
    cleanup.add(() => void delete process.env[brokenVariable]);

    expect(await rejection(work.call("fail", ["exit"]))).toMatchObject({ code: Code.INTERNAL });
    // Waits for the replacement, which cannot load the module: the call fails rather than waiting for ever.
    expect(await rejection(work.call("threadId", []))).toMatchObject({ code: Code.INTERNAL });
    expect(logged(work.logger.entries, "handler failed").at(-1)?.fields).toMatchObject({ err: { message: expect.stringMatching(/offload workers cannot start: .*broken on purpose/) } });
    // The pool waits 1 s before another start: no loop of failing threads meanwhile.
    await sleep(2500);
    expect(logged(work.logger.entries, "could not load its handler modules")).toHaveLength(1);

    delete process.env[brokenVariable];
    const recovered = await work.call("threadId", []);
    expect(recovered).toBeGreaterThan(0);
    expect(recovered).not.toBe(thread);
  });
});

describe("the queue", () => {
  it("refuses a call with RESOURCE_EXHAUSTED when every thread is busy and the queue is full, and serves the others", async () => {
    const work = await startWorkServer(cleanup, { ...oneThread, maxQueue: 2 });
    const running = work.call("heavy", [300]);
    const waiting = [work.call("heavy", [10]), work.call("heavy", [10])];
    const startedAt = performance.now();
    const refused = await rejection(work.call("heavy", [10]));
    expect(refused).toBeInstanceOf(RpcError);
    expect(refused).toMatchObject({ code: Code.RESOURCE_EXHAUSTED });
    // Refused at once, not after waiting for the running call.
    expect(performance.now() - startedAt).toBeLessThan(250);
    for (const result of await Promise.all([running, ...waiting])) expect(typeof result).toBe("string");
    // Room again: the next call is served.
    expect(typeof (await work.call("heavy", [1]))).toBe("string");
  });
});
