/**
 * What a failed governed call tells its caller: every provider tried with what
 * happened there, and why no further attempt was made (runtime/governance/call-failed-error.ts).
 */
import { afterEach, describe, expect, it } from "vitest";
import { CallFailedError, Code, ConnectionLostError, RpcError } from "@rpcgen/runtime";
import { startCluster, type ClusterFixture } from "./helpers/cluster-fixture.js";
import type { Behaviour } from "./helpers/scripted-transport.js";
import { storeService } from "./helpers/test-service.js";

const service = storeService();
const { put, read } = service.methods as Record<string, (typeof service.methods)[string]>;

const failWith =
  (error: unknown): Behaviour =>
  async () => {
    throw error;
  };

let fixture: ClusterFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

describe("the error of a call that failed", () => {
  it("says when the retry budget denied the retry", async () => {
    fixture = await startCluster(["a:1", "b:1"], () => failWith(new RpcError(Code.UNAVAILABLE, "busy")), {
      policy: "failover",
      retries: 2,
      retryBudget: { ratio: 0, burst: 0 },
    });
    const error = await fixture.invoker.invoke(read!, ["k"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallFailedError);
    const [tried] = fixture.book.order;
    expect((error as CallFailedError).code).toBe(Code.UNAVAILABLE);
    expect((error as CallFailedError).message).toBe(
      `Store.read failed: [${tried}] UNAVAILABLE: busy (retry not attempted: retry budget exhausted)`,
    );
    expect(fixture.invoker.stats().retriesDenied).toBe(1);
  });

  it("names every provider tried, in order, with what happened on each", async () => {
    const errors: Record<string, unknown> = {
      "a:1": new ConnectionLostError("unanswered", "a:1", "read ECONNRESET"),
      "b:1": new RpcError(Code.UNAVAILABLE, "overloaded"),
      "c:1": new RpcError(Code.DEADLINE_EXCEEDED, "attempt timeout of 50 ms exceeded on c:1"),
    };
    fixture = await startCluster(["a:1", "b:1", "c:1"], (address) => failWith(errors[address]), {
      policy: "failover",
      retries: 1,
      balancer: "round-robin",
    });
    const error = (await fixture.invoker.invoke(read!, ["k"]).catch((e: unknown) => e)) as CallFailedError;
    expect(error).toBeInstanceOf(CallFailedError);
    // a:1 lost the call with its connection (requeued, not a retry); the one retry went to the third.
    expect(fixture.book.order).toHaveLength(3);
    expect(new Set(fixture.book.order).size).toBe(3);
    expect(error.attempts.map((a) => a.address)).toEqual(fixture.book.order);
    const described: Record<string, string> = {
      "a:1": "UNAVAILABLE: connection to a:1 lost before the call was answered: read ECONNRESET",
      "b:1": "UNAVAILABLE: overloaded",
      "c:1": "DEADLINE_EXCEEDED: attempt timeout of 50 ms exceeded on c:1",
    };
    const expected = fixture.book.order.map((address) => `[${address}] ${described[address]}`).join("; ");
    expect(error.message).toBe(`Store.read failed after 3 attempts: ${expected}`);
    // The code and cause are the last attempt's.
    const last = errors[fixture.book.order[2]!] as RpcError;
    expect(error.code).toBe(last.code);
    expect(error.cause).toBe(last);
  });

  it("says when the policy would have retried but the method is not idempotent", async () => {
    fixture = await startCluster(["a:1", "b:1"], () => failWith(new RpcError(Code.UNAVAILABLE, "busy")), {
      policy: "failover",
      retries: 2,
    });
    const error = await fixture.invoker.invoke(put!, ["k"]).catch((e: unknown) => e);
    expect((error as RpcError).message).toBe(
      `Store.put failed: [${fixture.book.order[0]}] UNAVAILABLE: busy (retry not attempted: Store.put is not idempotent)`,
    );
  });

  it("says when no provider was left to retry on, with their states", async () => {
    fixture = await startCluster(["a:1"], () => failWith(new RpcError(Code.UNAVAILABLE, "busy")), {
      policy: "failover",
      retries: 2,
      breaker: { maxErrorCount: 1 },
    });
    const error = await fixture.invoker.invoke(read!, ["k"]).catch((e: unknown) => e);
    expect((error as RpcError).message).toBe(
      "Store.read failed: [a:1] UNAVAILABLE: busy (retry not attempted: all 1 providers of Store are unavailable: a:1 (breaker-open))",
    );
  });

  it("is the attempt's own error when one attempt failed and there is nothing to add", async () => {
    const busy = new RpcError(Code.UNAVAILABLE, "busy");
    fixture = await startCluster(["a:1", "b:1"], () => failWith(busy), { policy: "failfast" });
    await expect(fixture.invoker.invoke(read!, ["k"])).rejects.toBe(busy);
  });
});
