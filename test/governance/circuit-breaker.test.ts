import { afterEach, describe, expect, it, vi } from "vitest";
import { turnsUntil } from "./helpers/event-loop-turns.js";
import { CircuitBreaker, Code, DeclaredException, RpcError, type BreakerOptions } from "@rpcgen/runtime";
import { startCluster, unavailable, type ClusterFixture } from "./helpers/cluster-fixture.js";
import { storeService } from "./helpers/test-service.js";

const options: BreakerOptions = {
  maxErrorCount: 3,
  errorRatio: 0.5,
  minCalls: 10,
  windowMs: 10_000,
  probeIntervalMs: 60_000,
};

function breaker(ping: () => Promise<unknown> = async () => 1, now = () => 0, overrides: Partial<BreakerOptions> = {}) {
  const changes: string[] = [];
  const b = new CircuitBreaker({ ...options, ...overrides }, ping, (state) => changes.push(state), now);
  return { b, changes };
}

function fail(b: CircuitBreaker, times: number) {
  for (let i = 0; i < times; i++) b.recordFailure(b.acquire()!);
}

describe("CircuitBreaker", () => {
  it("opens after maxErrorCount consecutive failures and then lets nothing through", () => {
    const { b, changes } = breaker();
    fail(b, 2);
    b.recordSuccess(b.acquire()!);
    fail(b, 2);
    expect(b.state).toBe("closed");
    fail(b, 1);
    expect(b.state).toBe("open");
    expect(b.canAccept()).toBe(false);
    expect(b.acquire()).toBeUndefined();
    expect(changes).toEqual(["open"]);
    b.dispose();
  });

  it("opens on the error ratio over the rolling window once enough calls were seen", () => {
    const { b } = breaker(undefined, () => 0, { maxErrorCount: 100 });
    let calls = 0;
    while (b.state === "closed" && calls < 100) {
      if (calls % 2 === 0) b.recordSuccess(b.acquire()!);
      else fail(b, 1);
      calls += 1;
    }
    // Half the calls failed; the ratio is only trusted from minCalls (10) on.
    expect(calls).toBe(10);
    expect(b.state).toBe("open");
    b.dispose();
  });

  it("forgets failures that have left the rolling window", () => {
    let now = 0;
    const { b } = breaker(undefined, () => now, { maxErrorCount: 100 });
    fail(b, 9);
    expect(b.state).toBe("closed");
    now = 20_000;
    for (let i = 0; i < 6; i++) b.recordSuccess(b.acquire()!);
    fail(b, 4);
    // 4 of the 10 calls in the window failed; with the 9 old failures it would be 13 of 19.
    expect(b.state).toBe("closed");
    b.dispose();
  });

  it("moves to half-open on a successful probe, lets ONE trial through, and closes on its success", async () => {
    const { b, changes } = breaker();
    fail(b, 3);
    await expect(b.probe()).resolves.toBe(true);
    expect(b.state).toBe("half-open");
    const trial = b.acquire()!;
    expect(trial.trial).toBe(true);
    expect(b.acquire()).toBeUndefined();
    b.recordSuccess(trial);
    expect(b.state).toBe("closed");
    expect(changes).toEqual(["open", "half-open", "closed"]);
    b.dispose();
  });

  it("reopens when the trial fails, and stays open while probes fail", async () => {
    let healthy = true;
    const { b, changes } = breaker(async () => {
      if (!healthy) throw new Error("no answer");
      return 1;
    });
    fail(b, 3);
    await b.probe();
    b.recordFailure(b.acquire()!);
    expect(b.state).toBe("open");
    healthy = false;
    await expect(b.probe()).resolves.toBe(false);
    expect(b.state).toBe("open");
    expect(changes).toEqual(["open", "half-open", "open"]);
    b.dispose();
  });

  it("frees the trial slot when the trial is cancelled", async () => {
    const { b } = breaker();
    fail(b, 3);
    await b.probe();
    b.recordNeutral(b.acquire()!);
    expect(b.state).toBe("half-open");
    expect(b.acquire()?.trial).toBe(true);
    b.dispose();
  });

  it("probes an open provider on its own, at the probe interval", async () => {
    let pings = 0;
    const { b } = breaker(async () => ++pings, undefined, { probeIntervalMs: 5 });
    fail(b, 3);
    await vi.waitFor(() => expect(b.state).toBe("half-open"), { timeout: 5_000, interval: 5 });
    expect(pings).toBeGreaterThanOrEqual(1);
    b.dispose();
  });
});

class Conflict extends DeclaredException {}

describe("breakers inside the cluster invoker", () => {
  const read = storeService().methods["read"]!;
  let fixture: ClusterFixture | undefined;
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });

  it("stops sending to a failing provider, probes it, and takes it back after one good trial", async () => {
    let badHealthy = false;
    fixture = await startCluster(
      ["bad:1", "good:1"],
      (address) =>
        address === "bad:1"
          ? async () => {
              if (!badHealthy) throw new RpcError(Code.UNAVAILABLE, "refused");
              return "bad recovered";
            }
          : async () => "good",
      { policy: "failfast", balancer: "round-robin", breaker: { maxErrorCount: 3, probeIntervalMs: 5 } },
    );
    const bad = fixture.book.get("bad:1");
    bad.pingOk = false;
    for (let i = 0; i < 6; i++) await fixture.invoker.invoke(read, ["k"]).catch(() => undefined);
    expect(fixture.book.callCount("bad:1")).toBe(3);
    expect(fixture.invoker.stats().providers.find((p) => p.address === "bad:1")?.state).toBe("breaker-open");

    for (let i = 0; i < 20; i++) await expect(fixture.invoker.invoke(read, ["k"])).resolves.toBe("good");
    expect(fixture.book.callCount("bad:1")).toBe(3);

    badHealthy = true;
    bad.pingOk = true;
    await vi.waitFor(() => expect(fixture!.invoker.stats().providers[0]!.state).toBe("half-open"), {
      timeout: 5_000,
      interval: 5,
    });
    expect(bad.pings).toBeGreaterThan(0);
    const results = new Set<unknown>();
    for (let i = 0; i < 4; i++) results.add(await fixture.invoker.invoke(read, ["k"]));
    expect(results).toEqual(new Set(["good", "bad recovered"]));
    expect(fixture.invoker.stats().providers[0]!.state).toBe("closed");
  });

  it("lets only ONE trial call through a half-open provider, however many calls arrive", async () => {
    let healthy = false;
    let releaseTrial!: () => void;
    fixture = await startCluster(
      ["flaky:1", "steady:1"],
      (address) =>
        address === "flaky:1"
          ? async () => {
              if (!healthy) throw new RpcError(Code.UNAVAILABLE, "down");
              await new Promise<void>((resolve) => (releaseTrial = resolve));
              return "flaky";
            }
          : async () => "steady",
      { policy: "failfast", balancer: "least-pending", breaker: { maxErrorCount: 1, probeIntervalMs: 5 } },
    );
    const flaky = fixture.book.get("flaky:1");
    flaky.pingOk = false;
    // least-pending ties are random: call until the flaky provider has failed once.
    for (let i = 0; i < 100 && flaky.calls.length === 0; i++)
      await fixture.invoker.invoke(read, ["k"]).catch(() => undefined);
    expect(flaky.calls).toHaveLength(1);
    healthy = true;
    flaky.pingOk = true;
    const stateOfFlaky = () => fixture!.invoker.stats().providers.find((p) => p.address === "flaky:1")!.state;
    await vi.waitFor(() => expect(stateOfFlaky()).toBe("half-open"), { timeout: 5_000, interval: 5 });
    const callsBefore = flaky.calls.length;
    const burst = Array.from({ length: 10 }, () => fixture!.invoker.invoke(read, ["k"]));
    await turnsUntil(() => flaky.calls.length > callsBefore);
    expect(flaky.calls.length).toBe(callsBefore + 1);
    releaseTrial();
    const results = await Promise.all(burst);
    expect(results.filter((r) => r === "flaky")).toHaveLength(1);
    expect(results.filter((r) => r === "steady")).toHaveLength(9);
    expect(stateOfFlaky()).toBe("closed");
  });

  it("gives up on a probe that never answers and sends the next one", async () => {
    fixture = await startCluster(["a:1"], () => unavailable, {
      policy: "failfast",
      breaker: { maxErrorCount: 1, probeIntervalMs: 10 },
    });
    const a = fixture.book.get("a:1");
    let pings = 0;
    a.ping = () => (++pings === 1 ? new Promise<number>(() => {}) : Promise.resolve(1));
    await fixture.invoker.invoke(read, ["k"]).catch(() => undefined);
    await vi.waitFor(() => expect(fixture!.invoker.stats().providers[0]!.state).toBe("half-open"), {
      timeout: 5_000,
      interval: 5,
    });
    expect(pings).toBeGreaterThanOrEqual(2);
  });

  it("does not count declared exceptions or INVALID_ARGUMENT against a provider", async () => {
    let n = 0;
    fixture = await startCluster(
      ["a:1"],
      () => async () => {
        throw n++ % 2 === 0 ? new Conflict("taken") : new RpcError(Code.INVALID_ARGUMENT, "bad");
      },
      { policy: "failfast", breaker: { maxErrorCount: 2, minCalls: 2 } },
    );
    for (let i = 0; i < 10; i++) await fixture.invoker.invoke(read, ["k"]).catch(() => undefined);
    expect(fixture.invoker.stats().providers[0]).toMatchObject({ state: "closed", calls: 10, failures: 5 });
  });

  it("fails fast with UNAVAILABLE naming the provider states when every breaker is open", async () => {
    fixture = await startCluster(["a:1", "b:1"], () => unavailable, {
      policy: "failover",
      breaker: { maxErrorCount: 1 },
    });
    for (const address of ["a:1", "b:1"]) fixture.book.get(address).pingOk = false;
    await fixture.invoker.invoke(read, ["k"]).catch(() => undefined);
    const before = fixture.book.callCount("a:1") + fixture.book.callCount("b:1");
    const error = await fixture.invoker.invoke(read, ["k"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe(Code.UNAVAILABLE);
    expect((error as RpcError).message).toBe("all 2 providers of Store are unavailable: a:1 (breaker-open), b:1 (breaker-open)");
    expect(fixture.book.callCount("a:1") + fixture.book.callCount("b:1")).toBe(before);
  });

  it("answers from the fallback when every breaker is open", async () => {
    fixture = await startCluster(["a:1"], () => unavailable, {
      policy: "failfast",
      breaker: { maxErrorCount: 1 },
      fallbacks: {
        read: (_args, error, context) => ({ degraded: true, why: (error as RpcError).code, tried: context.attempts }),
      },
    });
    fixture.book.get("a:1").pingOk = false;
    await expect(fixture.invoker.invoke(read, ["k"])).resolves.toEqual({
      degraded: true,
      why: "UNAVAILABLE",
      tried: ["a:1"],
    });
    await expect(fixture.invoker.invoke(read, ["k"])).resolves.toEqual({
      degraded: true,
      why: "UNAVAILABLE",
      tried: [],
    });
    expect(fixture.book.callCount("a:1")).toBe(1);
    expect(fixture.invoker.stats().fallbacks).toBe(2);
  });
});
