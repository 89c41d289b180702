/**
 * The state a cluster invoker reports for each provider says what happened to
 * it: closed, half-open, breaker-open, unreachable (connection lost and no
 * answer to a ping), draining (goaway received). The same names appear in the
 * error of a call no provider could take.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { Code, RpcError, type EndpointState } from "@rpcgen/runtime";
import { answer, startCluster, unavailable, type ClusterFixture } from "./helpers/cluster-fixture.js";
import { turnsUntil } from "./helpers/event-loop-turns.js";
import { storeService } from "./helpers/test-service.js";

const read = storeService().methods["read"]!;

let fixture: ClusterFixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

/** One turn of the event loop: enough for a scripted ping's outcome to be booked. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function stateOf(f: ClusterFixture, address: string): EndpointState | undefined {
  return f.invoker.stats().providers.find((p) => p.address === address)?.state;
}

describe("provider states", () => {
  it("is unreachable after a lost connection whose ping gets no answer, and closed once a probe answers", async () => {
    fixture = await startCluster(["a:1", "b:1"], (address) => answer(address), {
      balancer: "round-robin",
      breaker: { probeIntervalMs: 5 },
    });
    const a = fixture.book.get("a:1");
    a.pingOk = false;
    a.emit("disconnected", "a:1");
    const f = fixture;
    await turnsUntil(() => stateOf(f, "a:1") === "unreachable");
    for (let i = 0; i < 4; i++) await expect(fixture.invoker.invoke(read, ["k"])).resolves.toBe("b:1");
    expect(fixture.logger.messages("warn")).toContain("provider unreachable: connection lost and no answer to a ping");
    a.pingOk = true;
    await vi.waitFor(() => expect(stateOf(f, "a:1")).toBe("closed"), { timeout: 5_000, interval: 5 });
  });

  it("stays closed after a lost connection when the ping is answered (a blip)", async () => {
    fixture = await startCluster(["a:1", "b:1"], (address) => answer(address), { balancer: "round-robin" });
    const a = fixture.book.get("a:1");
    a.emit("disconnected", "a:1");
    await turnsUntil(() => a.pings === 1);
    await nextTurn();
    expect(stateOf(fixture, "a:1")).toBe("closed");
  });

  it("is draining after a goaway, not unreachable, whichever comes first of goaway and the lost connection", async () => {
    fixture = await startCluster(["a:1", "b:1"], (address) => answer(address), {
      breaker: { probeIntervalMs: 60_000 },
    });
    const a = fixture.book.get("a:1");
    a.pingOk = false;
    a.emit("goaway", "a:1");
    a.emit("disconnected", "a:1");
    await nextTurn();
    expect(stateOf(fixture, "a:1")).toBe("draining");

    const b = fixture.book.get("b:1");
    b.pingOk = false;
    b.emit("disconnected", "b:1");
    b.emit("goaway", "b:1");
    // The ping sent for the lost connection fails after the goaway: the goaway is what happened.
    await turnsUntil(() => b.pings === 1);
    await nextTurn();
    expect(stateOf(fixture, "b:1")).toBe("draining");
  });

  it("is breaker-open after failed calls, then half-open, then closed", async () => {
    let healthy = false;
    fixture = await startCluster(
      ["a:1"],
      () => async () => {
        if (!healthy) throw new RpcError(Code.UNAVAILABLE, "refused");
        return "ok";
      },
      { policy: "failfast", breaker: { maxErrorCount: 2, probeIntervalMs: 5 } },
    );
    const f = fixture;
    expect(stateOf(f, "a:1")).toBe("closed");
    fixture.book.get("a:1").pingOk = false;
    for (let i = 0; i < 2; i++) await fixture.invoker.invoke(read, ["k"]).catch(() => undefined);
    expect(stateOf(f, "a:1")).toBe("breaker-open");
    healthy = true;
    fixture.book.get("a:1").pingOk = true;
    await vi.waitFor(() => expect(stateOf(f, "a:1")).toBe("half-open"), { timeout: 5_000, interval: 5 });
    await expect(fixture.invoker.invoke(read, ["k"])).resolves.toBe("ok");
    expect(stateOf(f, "a:1")).toBe("closed");
  });

  it("names each provider's state in the error of a call none could take", async () => {
    fixture = await startCluster(
      ["a:1", "b:1", "c:1"],
      (address) => (address === "c:1" ? unavailable : answer(address)),
      { policy: "failfast", balancer: "round-robin", breaker: { maxErrorCount: 1, probeIntervalMs: 60_000 } },
    );
    const f = fixture;
    for (const address of ["a:1", "b:1", "c:1"]) f.book.get(address).pingOk = false;
    f.book.get("a:1").emit("disconnected", "a:1");
    f.book.get("b:1").emit("goaway", "b:1");
    await turnsUntil(() => stateOf(f, "a:1") === "unreachable");
    // c:1 is now the only provider left: one failure opens its breaker.
    await fixture.invoker.invoke(read, ["k"]).catch(() => undefined);
    await expect(fixture.invoker.invoke(read, ["k"])).rejects.toThrow(
      "all 3 providers of Store are unavailable: a:1 (unreachable), b:1 (draining), c:1 (breaker-open)",
    );
  });
});
