import { afterEach, describe, expect, it } from "vitest";
import { Code, DeclaredException, RpcError } from "@rpcgen/runtime";
import { answer, startCluster, unavailable, type ClusterFixture } from "./helpers/cluster-fixture.js";
import { hangUntilAborted } from "./helpers/scripted-transport.js";
import { storeService } from "./helpers/test-service.js";

const service = storeService();
const { get, put, read } = service.methods as Record<string, (typeof service.methods)[string]>;

class NotFound extends DeclaredException {
  constructor(fields: { key: string }) {
    super(`no such key ${fields.key}`);
  }
}

let fixture: ClusterFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

/** Addresses of the attempts, in the order they were sent. */
function attemptOrder(f: ClusterFixture): string[] {
  return f.book.order;
}

describe("failfast", () => {
  it("makes one attempt and hands the error to the caller", async () => {
    fixture = await startCluster(["a:1", "b:1", "c:1"], () => unavailable, { policy: "failfast", retries: 5 });
    await expect(fixture.invoker.invoke(read!, ["k"])).rejects.toMatchObject({ code: Code.UNAVAILABLE });
    expect(attemptOrder(fixture)).toHaveLength(1);
  });
});

describe("failtry", () => {
  it("retries the same provider up to n times", async () => {
    fixture = await startCluster(["a:1", "b:1", "c:1"], () => unavailable, { policy: "failtry", retries: 3 });
    await expect(fixture.invoker.invoke(read!, ["k"])).rejects.toMatchObject({ code: Code.UNAVAILABLE });
    const tried = attemptOrder(fixture);
    expect(tried).toHaveLength(4);
    expect(new Set(tried).size).toBe(1);
    expect(fixture.invoker.stats().retries).toBe(3);
  });

  it("returns the value once the provider recovers", async () => {
    let failuresLeft = 2;
    fixture = await startCluster(
      ["a:1"],
      () => async () => {
        if (failuresLeft-- > 0) throw new RpcError(Code.UNAVAILABLE, "busy");
        return "ok";
      },
      { policy: "failtry", retries: 3 },
    );
    await expect(fixture.invoker.invoke(read!, ["k"])).resolves.toBe("ok");
    expect(fixture.book.callCount("a:1")).toBe(3);
  });
});

describe("failover", () => {
  it("tries a different provider each time while untried ones remain", async () => {
    fixture = await startCluster(["a:1", "b:1", "c:1"], () => unavailable, { policy: "failover", retries: 2 });
    await expect(fixture.invoker.invoke(read!, ["k"])).rejects.toMatchObject({ code: Code.UNAVAILABLE });
    const tried = attemptOrder(fixture);
    expect(tried).toHaveLength(3);
    expect(new Set(tried).size).toBe(3);
  });

  it("never goes back to the provider that just failed while another is available", async () => {
    fixture = await startCluster(["a:1", "b:1"], () => unavailable, {
      policy: "failover",
      retries: 5,
      breaker: { maxErrorCount: 100 },
    });
    await expect(fixture.invoker.invoke(read!, ["k"])).rejects.toMatchObject({ code: Code.UNAVAILABLE });
    const tried = attemptOrder(fixture);
    expect(tried).toHaveLength(6);
    for (let i = 1; i < tried.length; i++) expect(tried[i]).not.toBe(tried[i - 1]);
  });

  it("answers from the next provider when the first fails", async () => {
    fixture = await startCluster(["a:1", "b:1"], (address) => (address === "a:1" ? unavailable : answer("from b")), {
      policy: "failover",
      balancer: "round-robin",
    });
    for (let i = 0; i < 4; i++) await expect(fixture.invoker.invoke(read!, ["k"])).resolves.toBe("from b");
  });

  it("does not retry a method that is not idempotent", async () => {
    fixture = await startCluster(["a:1", "b:1", "c:1"], () => unavailable, { policy: "failover", retries: 2 });
    await expect(fixture.invoker.invoke(put!, ["k"])).rejects.toMatchObject({ code: Code.UNAVAILABLE });
    expect(attemptOrder(fixture)).toHaveLength(1);
  });

  it("retries a method that config marks idempotent", async () => {
    fixture = await startCluster(["a:1", "b:1", "c:1"], () => unavailable, {
      policy: "failover",
      retries: 2,
      methods: { put: { idempotent: true } },
    });
    await expect(fixture.invoker.invoke(put!, ["k"])).rejects.toMatchObject({ code: Code.UNAVAILABLE });
    expect(attemptOrder(fixture)).toHaveLength(3);
  });

  it("never retries a declared exception or an error another provider cannot fix", async () => {
    fixture = await startCluster(
      ["a:1", "b:1"],
      (address) =>
        address === "a:1"
          ? async () => {
              throw new NotFound({ key: "k" });
            }
          : async () => {
              throw new RpcError(Code.INVALID_ARGUMENT, "bad key");
            },
      { policy: "failover", retries: 3, balancer: "round-robin" },
    );
    await expect(fixture.invoker.invoke(read!, ["k"])).rejects.toBeInstanceOf(NotFound);
    await expect(fixture.invoker.invoke(read!, ["k"])).rejects.toMatchObject({ code: Code.INVALID_ARGUMENT });
    expect(fixture.book.callCount("a:1") + fixture.book.callCount("b:1")).toBe(2);
  });

  it("retries DEADLINE_EXCEEDED of an idempotent method on another provider", async () => {
    fixture = await startCluster(
      ["slow:1", "fast:1"],
      (address) => (address === "slow:1" ? async (_m, _a, options) => hangUntilAborted(options) : answer("fast")),
      { policy: "failover", balancer: "round-robin", attemptTimeoutMs: 30, timeoutMs: 5_000 },
    );
    const results = await Promise.all([fixture.invoker.invoke(read!, ["k"]), fixture.invoker.invoke(read!, ["k"])]);
    expect(results).toEqual(["fast", "fast"]);
    expect(fixture.book.callCount("slow:1")).toBe(1);
  });
});

describe("shared deadline", () => {
  it("spends one deadline across all attempts and never starts one past it", async () => {
    const starts: Array<{ timeoutMs: number; endedAt?: number }> = [];
    fixture = await startCluster(
      ["a:1", "b:1", "c:1", "d:1"],
      () => async (_m, _a, options) => {
        const attempt: { timeoutMs: number; endedAt?: number } = { timeoutMs: options!.timeoutMs! };
        starts.push(attempt);
        try {
          return await hangUntilAborted(options);
        } finally {
          attempt.endedAt = Date.now();
        }
      },
      {
        policy: "failover",
        retries: 10,
        attemptTimeoutMs: 40,
        breaker: { maxErrorCount: 100 },
      },
    );
    const call = fixture.invoker.invoke(read!, ["k"], { timeoutMs: 100 });
    // The deadline is fixed when invoke() is entered, so it is at most `latest`.
    const latest = Date.now() + 100;
    await expect(call).rejects.toMatchObject({ code: Code.DEADLINE_EXCEEDED });
    // Each failed attempt lasts at least 40 ms (timers never fire early), so a 100 ms deadline shared by
    // all attempts leaves room for three at most, although ten retries were allowed.
    expect(starts.length).toBeGreaterThanOrEqual(1);
    expect(starts.length).toBeLessThanOrEqual(3);
    // The invoker sizes attempt k at its own clock reading, which is no earlier than the moment attempt
    // k-1 was seen to end here; so attempt k's timeout must fit between that moment and the deadline.
    // (Comparing with a reading taken inside the handler instead would count the time between the
    // invoker's reading and the handler's against the invoker.)
    starts.forEach((attempt, k) => {
      expect(attempt.timeoutMs).toBeLessThanOrEqual(40);
      if (k > 0) expect(starts[k - 1]!.endedAt! + attempt.timeoutMs).toBeLessThanOrEqual(latest);
    });
    // A retry may be booked and then cut short by the deadline during its backoff.
    expect(fixture.invoker.stats().retries).toBeGreaterThanOrEqual(starts.length - 1);
    expect(fixture.invoker.stats().retries).toBeLessThanOrEqual(starts.length);
  });

  it("stops at once when the caller cancels, without retry or fallback", async () => {
    let sent!: () => void;
    const firstAttemptSent = new Promise<void>((resolve) => (sent = resolve));
    fixture = await startCluster(
      ["a:1", "b:1"],
      () => async (_m, _a, options) => {
        sent();
        return hangUntilAborted(options);
      },
      {
        policy: "failover",
        retries: 5,
        fallbacks: { read: () => "degraded" },
      },
    );
    const controller = new AbortController();
    const call = fixture.invoker.invoke(read!, ["k"], { signal: controller.signal });
    await firstAttemptSent;
    controller.abort();
    await expect(call).rejects.toMatchObject({ code: Code.CANCELLED });
    expect(attemptOrder(fixture)).toHaveLength(1);
    expect(fixture.invoker.stats().providers.every((p) => p.state === "closed")).toBe(true);
  });
});

describe("retry budget", () => {
  it("caps retries during an outage at burst + ratio × calls", async () => {
    fixture = await startCluster(["a:1", "b:1", "c:1"], () => unavailable, {
      policy: "failover",
      retries: 3,
      retryBudget: { ratio: 0.1, burst: 5 },
      backoff: { baseMs: 0, maxMs: 0 },
      breaker: { maxErrorCount: 1_000_000, minCalls: 1_000_000 },
    });
    const calls = 200;
    for (let i = 0; i < calls; i++) await expect(fixture.invoker.invoke(read!, ["k"])).rejects.toBeInstanceOf(RpcError);
    const stats = fixture.invoker.stats();
    expect(stats.retries).toBeLessThanOrEqual(5 + 0.1 * calls);
    expect(stats.retries).toBeGreaterThanOrEqual(0.1 * calls);
    expect(stats.retriesDenied).toBeGreaterThan(0);
    const attempts = stats.providers.reduce((sum, p) => sum + p.calls, 0);
    expect(attempts).toBe(calls + stats.retries);
  });
});

describe("failsafe", () => {
  it("returns undefined and logs when the call fails", async () => {
    fixture = await startCluster(["a:1"], () => unavailable, { policy: "failsafe" });
    await expect(fixture.invoker.invoke(put!, ["k"])).resolves.toBeUndefined();
    expect(fixture.logger.messages("warn")).toContain("failsafe: call failed, returning undefined");
  });

  it("returns the method's fallback when there is one, with the error and the providers tried", async () => {
    const seen: unknown[] = [];
    fixture = await startCluster(["a:1"], () => unavailable, {
      policy: "failsafe",
      fallbacks: {
        get: (args, error, context) => {
          seen.push(error, context.attempts, context.method.name);
          return `cached ${String(args[0])}`;
        },
      },
    });
    await expect(fixture.invoker.invoke(get!, ["k1"])).resolves.toBe("cached k1");
    expect(seen[0]).toMatchObject({ code: Code.UNAVAILABLE });
    expect(seen[1]).toEqual(["a:1"]);
    expect(seen[2]).toBe("get");
    expect(fixture.invoker.stats().fallbacks).toBe(1);
  });

  it("still delivers a declared exception, which is an answer", async () => {
    fixture = await startCluster(
      ["a:1"],
      () => async () => {
        throw new NotFound({ key: "k" });
      },
      { policy: "failsafe" },
    );
    await expect(fixture.invoker.invoke(put!, ["k"])).rejects.toBeInstanceOf(NotFound);
  });
});

describe("forking", () => {
  it("calls k providers at once; the first answer wins and the others are cancelled", async () => {
    const aborted: string[] = [];
    fixture = await startCluster(
      ["fast:1", "slow1:1", "slow2:1"],
      (address) =>
        address === "fast:1"
          ? answer("fast")
          : async (_m, _a, options) => {
              options!.signal!.addEventListener("abort", () => aborted.push(address));
              return hangUntilAborted(options);
            },
      { policy: "forking", forks: 3 },
    );
    await expect(fixture.invoker.invoke(read!, ["k"])).resolves.toBe("fast");
    expect(
      fixture.book.callCount("fast:1") + fixture.book.callCount("slow1:1") + fixture.book.callCount("slow2:1"),
    ).toBe(3);
    expect(aborted.sort()).toEqual(["slow1:1", "slow2:1"]);
    // Cancelled losers say nothing about their health.
    expect(fixture.invoker.stats().providers.map((p) => p.failures)).toEqual([0, 0, 0]);
  });

  it("lets a declared exception win like an answer", async () => {
    fixture = await startCluster(
      ["a:1", "b:1"],
      (address) =>
        address === "a:1"
          ? async () => {
              throw new NotFound({ key: "k" });
            }
          : async (_m, _a, options) => hangUntilAborted(options),
      { policy: "forking", forks: 2 },
    );
    await expect(fixture.invoker.invoke(read!, ["k"])).rejects.toBeInstanceOf(NotFound);
    expect(fixture.invoker.stats().failures).toBe(0);
  });

  it("fails only when every fork fails", async () => {
    fixture = await startCluster(["a:1", "b:1"], () => unavailable, { policy: "forking", forks: 2 });
    await expect(fixture.invoker.invoke(read!, ["k"])).rejects.toMatchObject({ code: Code.UNAVAILABLE });
    expect(fixture.book.callCount("a:1")).toBe(1);
    expect(fixture.book.callCount("b:1")).toBe(1);
  });

  it("sends a method that is not idempotent to one provider only", async () => {
    fixture = await startCluster(["a:1", "b:1", "c:1"], () => answer("done"), { policy: "forking", forks: 3 });
    await expect(fixture.invoker.invoke(put!, ["k"])).resolves.toBe("done");
    expect(attemptOrder(fixture)).toHaveLength(1);
  });
});

describe("policy from hints", () => {
  it("lets a method's rpc.policy hint override the service policy, and config override the hint", async () => {
    const hinted = { ...read!, hints: { ...read!.hints, policy: "failfast" as const } };
    fixture = await startCluster(["a:1", "b:1"], () => unavailable, { policy: "failover", retries: 3 });
    await expect(fixture.invoker.invoke(hinted, ["k"])).rejects.toBeInstanceOf(RpcError);
    expect(attemptOrder(fixture)).toHaveLength(1);
    await fixture.close();
    fixture = await startCluster(["a:1", "b:1"], () => unavailable, {
      policy: "failover",
      retries: 3,
      methods: { read: { policy: "failover", retries: 1 } },
    });
    await expect(fixture.invoker.invoke(hinted, ["k"])).rejects.toBeInstanceOf(RpcError);
    expect(attemptOrder(fixture)).toHaveLength(2);
  });
});
