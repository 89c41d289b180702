import { afterEach, describe, expect, it } from "vitest";
import { Code, createClusterInvoker, seededRandom, type ClusterInvoker, type ClusterInvokerOptions } from "@rpcgen/runtime";
import { CaptureLogger } from "./helpers/capture-logger.js";
import { MemoryRegistry, provider } from "./helpers/memory-registry.js";
import { hangUntilAborted, TransportBook, type Behaviour } from "./helpers/scripted-transport.js";
import { storeService } from "./helpers/test-service.js";

const service = storeService();
const { put, read } = service.methods as Record<string, (typeof service.methods)[string]>;

let invoker: ClusterInvoker | undefined;
let registry: MemoryRegistry | undefined;
afterEach(async () => {
  await invoker?.close();
  await registry?.close();
  invoker = undefined;
  registry = undefined;
});

/** An invoker over scripted providers; `enforcing` marks their transports as enforcing deadlines and signals. */
async function start(
  addresses: readonly string[],
  behaviour: Behaviour,
  enforcing: boolean,
  options: Partial<ClusterInvokerOptions> = {},
): Promise<{ invoker: ClusterInvoker; book: TransportBook }> {
  registry = new MemoryRegistry();
  registry.setProviders(addresses.map((address) => provider({ address })));
  const book = new TransportBook(() => behaviour);
  invoker = createClusterInvoker({
    service,
    registry,
    transportFactory: (info) => Object.assign(book.factory(info), { enforcesCallLimits: enforcing }),
    logger: new CaptureLogger(),
    random: seededRandom(1),
    backoff: { baseMs: 1, maxMs: 2 },
    ...options,
  });
  await invoker.ready();
  return { invoker, book };
}

/** A real AbortController whose signal counts the listeners added to it. */
function countingController(): { controller: AbortController; listenersAdded: () => number } {
  const controller = new AbortController();
  let added = 0;
  const add = controller.signal.addEventListener.bind(controller.signal);
  controller.signal.addEventListener = (...args: Parameters<AbortSignal["addEventListener"]>) => {
    added += 1;
    add(...args);
  };
  return { controller, listenersAdded: () => added };
}

describe("a transport that enforces its own deadline and signal", () => {
  it("is handed the caller's signal and the time left, and the call adds no listener of its own", async () => {
    const { invoker, book } = await start(["a:1"], async () => "ok", true);
    const { controller, listenersAdded } = countingController();
    await expect(invoker.invoke(read!, ["k"], { timeoutMs: 5_000, signal: controller.signal })).resolves.toBe("ok");
    const sent = book.get("a:1").calls[0]!.options!;
    expect(sent.signal).toBe(controller.signal);
    expect(sent.timeoutMs).toBeGreaterThan(0);
    expect(sent.timeoutMs).toBeLessThanOrEqual(5_000);
    expect(listenersAdded()).toBe(0);
  });

  it("gets no signal when the caller gave none, and the invoker's deadline as time left", async () => {
    const { invoker, book } = await start(["a:1"], async () => "ok", true, { timeoutMs: 700 });
    await expect(invoker.invoke(read!, ["k"])).resolves.toBe("ok");
    const sent = book.get("a:1").calls[0]!.options!;
    expect(sent.signal).toBeUndefined();
    expect(sent.timeoutMs).toBeGreaterThan(0);
    expect(sent.timeoutMs).toBeLessThanOrEqual(700);
  });

  it("keeps the caller's metadata and routing key", async () => {
    const { invoker, book } = await start(["a:1"], async () => "ok", true);
    await invoker.invoke(read!, ["k"], { routeKey: "user-1", metadata: { tenant: "t1" } });
    const sent = book.get("a:1").calls[0]!.options!;
    expect(sent.routeKey).toBe("user-1");
    expect(sent.metadata).toEqual({ tenant: "t1" });
  });

  it("reports the caller's cancellation as CANCELLED without retry and without touching the breaker", async () => {
    let sent!: () => void;
    const firstAttemptSent = new Promise<void>((resolve) => (sent = resolve));
    const { invoker, book } = await start(
      ["a:1", "b:1"],
      async (_m, _a, options) => {
        sent();
        return hangUntilAborted(options);
      },
      true,
      { policy: "failover", retries: 3, fallbacks: { read: () => "degraded" } },
    );
    const controller = new AbortController();
    const call = invoker.invoke(read!, ["k"], { signal: controller.signal });
    await firstAttemptSent;
    controller.abort();
    await expect(call).rejects.toMatchObject({ code: Code.CANCELLED });
    expect(book.order).toHaveLength(1);
    expect(invoker.stats().providers.map((p) => [p.state, p.failures])).toEqual([
      ["closed", 0],
      ["closed", 0],
    ]);
  });

  it("gives each retry only the time left of the one shared deadline", async () => {
    const sentTimeouts: number[] = [];
    const { invoker } = await start(
      ["a:1", "b:1", "c:1"],
      async (_m, _a, options) => {
        sentTimeouts.push(options!.timeoutMs!);
        throw Object.assign(new Error("connection refused"), { code: "ECONNREFUSED" });
      },
      true,
      { policy: "failover", retries: 2, timeoutMs: 2_000 },
    );
    await expect(invoker.invoke(read!, ["k"])).rejects.toMatchObject({ code: Code.UNAVAILABLE });
    expect(sentTimeouts).toHaveLength(3);
    for (let i = 1; i < sentTimeouts.length; i++) expect(sentTimeouts[i]).toBeLessThanOrEqual(sentTimeouts[i - 1]!);
    expect(sentTimeouts[0]).toBeLessThanOrEqual(2_000);
  });
});

describe("a transport that may ignore its deadline and signal", () => {
  it("is still cut off at the deadline", async () => {
    const { invoker } = await start(["a:1"], () => new Promise<never>(() => {}), false);
    await expect(invoker.invoke(put!, ["k"], { timeoutMs: 30 })).rejects.toMatchObject({
      code: Code.DEADLINE_EXCEEDED,
      message: expect.stringContaining("deadline of 30 ms exceeded calling Store.put"),
    });
  });

  it("is still cut off when the caller cancels", async () => {
    let sent!: () => void;
    const attemptSent = new Promise<void>((resolve) => (sent = resolve));
    const { invoker } = await start(
      ["a:1"],
      () => {
        sent();
        return new Promise<never>(() => {});
      },
      false,
    );
    const controller = new AbortController();
    const call = invoker.invoke(put!, ["k"], { signal: controller.signal });
    await attemptSent;
    controller.abort();
    await expect(call).rejects.toMatchObject({ code: Code.CANCELLED });
    expect(invoker.stats().providers[0]!.inFlight).toBe(0);
  });
});

describe("a call cancelled before it starts", () => {
  it("makes no attempt and rejects with CANCELLED", async () => {
    for (const enforcing of [true, false]) {
      const { invoker, book } = await start(["a:1"], async () => "ok", enforcing);
      const controller = new AbortController();
      controller.abort();
      await expect(invoker.invoke(read!, ["k"], { signal: controller.signal })).rejects.toMatchObject({
        code: Code.CANCELLED,
      });
      expect(book.order).toEqual([]);
      await invoker.close();
      await registry!.close();
    }
  });
});
