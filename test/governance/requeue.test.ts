/**
 * The requeue rule (runtime/governance/requeue-rule.ts): a call that was never
 * sent, or (when it may be retried) was lost with its connection, goes at once
 * to a provider it has not tried, outside the retry budget, at most twice.
 */
import { afterEach, describe, expect, it } from "vitest";
import { Code, ConnectionLostError, MAX_REQUEUES_PER_CALL, RpcError, type CallDelivery } from "@rpcgen/runtime";
import { answer, startCluster, type ClusterFixture } from "./helpers/cluster-fixture.js";
import type { Behaviour } from "./helpers/scripted-transport.js";
import { storeService } from "./helpers/test-service.js";

const service = storeService();
const { put, read } = service.methods as Record<string, (typeof service.methods)[string]>;

/** A provider whose connection fails every call it is given, the way `delivery` says. */
const lost =
  (delivery: CallDelivery, address: string): Behaviour =>
  async () => {
    throw new ConnectionLostError(delivery, address, "read ECONNRESET");
  };

/** No retry may be made at all: any retry would be denied. */
const noRetryBudget = { retryBudget: { ratio: 0, burst: 0 } };

let fixture: ClusterFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

describe("requeue of a call lost with its connection", () => {
  it("sends an idempotent call lost on a dead connection to another provider, outside the retry budget", async () => {
    fixture = await startCluster(
      ["dead:1", "live:1"],
      (address) => (address === "dead:1" ? lost("unanswered", address) : answer("from live")),
      { policy: "failover", retries: 2, balancer: "round-robin", ...noRetryBudget },
    );
    for (let i = 0; i < 4; i++) await expect(fixture.invoker.invoke(read!, ["k"])).resolves.toBe("from live");
    const stats = fixture.invoker.stats();
    expect(fixture.book.callCount("dead:1")).toBeGreaterThan(0);
    expect(stats.requeues).toBe(fixture.book.callCount("dead:1"));
    expect(stats.retries).toBe(0);
    expect(stats.retriesDenied).toBe(0);
    expect(stats.failures).toBe(0);
  });

  it("sends a call that was never sent elsewhere whatever its method and policy", async () => {
    for (const policy of ["failfast", "failover", "failtry", "failsafe"] as const) {
      fixture = await startCluster(
        ["refused:1", "live:1"],
        (address) => (address === "refused:1" ? lost("never-sent", address) : answer("from live")),
        { policy, balancer: "round-robin", ...noRetryBudget },
      );
      // put is not idempotent: safe here only because nothing of it left the client.
      for (let i = 0; i < 4; i++) await expect(fixture.invoker.invoke(put!, ["k"])).resolves.toBe("from live");
      expect(fixture.book.callCount("refused:1")).toBeGreaterThan(0);
      expect(fixture.invoker.stats().requeues).toBe(fixture.book.callCount("refused:1"));
      await fixture.close();
      fixture = undefined;
    }
  });

  it("does not send elsewhere a call that is not idempotent once it was written", async () => {
    fixture = await startCluster(
      ["dead:1", "live:1"],
      (address) => (address === "dead:1" ? lost("unanswered", address) : answer("from live")),
      { policy: "failover", retries: 2, balancer: "round-robin" },
    );
    const outcomes = await Promise.all(
      Array.from({ length: 4 }, () => fixture!.invoker.invoke(put!, ["k"]).catch((error: unknown) => error)),
    );
    const failed = outcomes.filter((o) => o instanceof RpcError) as RpcError[];
    expect(failed).toHaveLength(fixture.book.callCount("dead:1"));
    expect(failed.length).toBeGreaterThan(0);
    for (const error of failed) {
      expect(error.code).toBe(Code.UNAVAILABLE);
      expect(error.message).toContain("lost before the call was answered");
      expect(error.message).toContain("(retry not attempted: Store.put is not idempotent)");
    }
    expect(fixture.invoker.stats().requeues).toBe(0);
  });

  it("does not requeue a written call under a policy that does not retry", async () => {
    fixture = await startCluster(["dead:1", "live:1"], (address) => lost("unanswered", address), {
      policy: "failfast",
    });
    await expect(fixture.invoker.invoke(read!, ["k"])).rejects.toBeInstanceOf(ConnectionLostError);
    expect(fixture.book.order).toHaveLength(1);
    expect(fixture.invoker.stats().requeues).toBe(0);
  });

  it("requeues only onto providers the call has not tried, and at most twice", async () => {
    const five = ["a:1", "b:1", "c:1", "d:1", "e:1"];
    fixture = await startCluster(five, (address) => lost("never-sent", address), { policy: "failfast" });
    await expect(fixture.invoker.invoke(read!, ["k"])).rejects.toMatchObject({ code: Code.UNAVAILABLE });
    expect(fixture.book.order).toHaveLength(1 + MAX_REQUEUES_PER_CALL);
    expect(new Set(fixture.book.order).size).toBe(1 + MAX_REQUEUES_PER_CALL);
    await fixture.close();

    fixture = await startCluster(["a:1", "b:1"], (address) => lost("never-sent", address), { policy: "failfast" });
    await expect(fixture.invoker.invoke(read!, ["k"])).rejects.toMatchObject({ code: Code.UNAVAILABLE });
    expect([...fixture.book.order].sort()).toEqual(["a:1", "b:1"]);
  });

  it("keeps a full outage bounded: at most 1 + 2 requeues per call, retries within the budget", async () => {
    fixture = await startCluster(["a:1", "b:1", "c:1"], (address) => lost("unanswered", address), {
      policy: "failover",
      retries: 2,
      retryBudget: { ratio: 0.1, burst: 5 },
      backoff: { baseMs: 0, maxMs: 0 },
      breaker: { maxErrorCount: 1_000_000, minCalls: 1_000_000 },
    });
    const calls = 100;
    for (let i = 0; i < calls; i++) await expect(fixture.invoker.invoke(read!, ["k"])).rejects.toBeInstanceOf(RpcError);
    const stats = fixture.invoker.stats();
    const attempts = stats.providers.reduce((sum, p) => sum + p.calls, 0);
    expect(stats.requeues).toBe(calls * MAX_REQUEUES_PER_CALL);
    expect(stats.retries).toBeLessThanOrEqual(5 + 0.1 * calls);
    expect(stats.retriesDenied).toBeGreaterThan(0);
    expect(attempts).toBe(calls + stats.requeues + stats.retries);
  });
});
