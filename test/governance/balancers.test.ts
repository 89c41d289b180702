import { describe, expect, it } from "vitest";
import { ConsistentHashBalancer, LeastPendingBalancer, P2cLatencyBalancer, RandomBalancer, RoundRobinBalancer, seededRandom, type BalancedEndpoint, type LoadBalancer } from "@rpcgen/runtime";

function node(key: string, weight = 100, inFlight = 0, latencyEwmaMs?: number): BalancedEndpoint {
  return { key, weight, inFlight, latencyEwmaMs };
}

function shares(balancer: LoadBalancer, nodes: readonly BalancedEndpoint[], picks: number): Map<string, number> {
  const counts = new Map<string, number>(nodes.map((n) => [n.key, 0]));
  for (let i = 0; i < picks; i++) {
    const chosen = balancer.pick(nodes, { routeKey: undefined, members: nodes });
    counts.set(chosen.key, counts.get(chosen.key)! + 1);
  }
  return new Map([...counts].map(([k, v]) => [k, v / picks]));
}

describe("random balancer", () => {
  it("picks in proportion to weight", () => {
    const nodes = [node("a", 100), node("b", 200), node("c", 700)];
    const result = shares(new RandomBalancer(seededRandom(42)), nodes, 100_000);
    expect(result.get("a")).toBeCloseTo(0.1, 2);
    expect(result.get("b")).toBeCloseTo(0.2, 2);
    expect(result.get("c")).toBeCloseTo(0.7, 2);
  });

  it("never picks a zero-weight provider while another has weight, and is uniform when all are zero", () => {
    const random = seededRandom(7);
    const weighted = shares(new RandomBalancer(random), [node("a", 0), node("b", 50)], 10_000);
    expect(weighted.get("a")).toBe(0);
    const zero = shares(new RandomBalancer(random), [node("a", 0), node("b", 0)], 20_000);
    expect(zero.get("a")).toBeGreaterThan(0.47);
    expect(zero.get("a")).toBeLessThan(0.53);
  });
});

describe("smooth weighted round-robin", () => {
  it("interleaves like nginx: weights 5,1,1 give a a b a c a a", () => {
    const balancer: LoadBalancer = new RoundRobinBalancer();
    const nodes = [node("a", 5), node("b", 1), node("c", 1)];
    const sequence = Array.from(
      { length: 14 },
      () => balancer.pick(nodes, { routeKey: undefined, members: nodes }).key,
    );
    expect(sequence.join("")).toBe("aabacaaaabacaa");
  });

  it("gives each provider exactly its weight's share over whole cycles", () => {
    const result = shares(new RoundRobinBalancer(), [node("a", 300), node("b", 200), node("c", 100)], 6_000);
    expect(result.get("a")).toBe(0.5);
    expect(result.get("b")).toBeCloseTo(2 / 6, 10);
    expect(result.get("c")).toBeCloseTo(1 / 6, 10);
  });
});

describe("least-pending balancer", () => {
  it("only picks among the providers with the fewest calls in flight, spreading ties", () => {
    const nodes = [node("a", 100, 3), node("b", 100, 1), node("c", 100, 1)];
    const result = shares(new LeastPendingBalancer(seededRandom(3)), nodes, 20_000);
    expect(result.get("a")).toBe(0);
    expect(result.get("b")).toBeGreaterThan(0.47);
    expect(result.get("c")).toBeGreaterThan(0.47);
  });

  it("follows the load as it changes", () => {
    const balancer: LoadBalancer = new LeastPendingBalancer(seededRandom(1));
    const load = new Map([
      ["a", 0],
      ["b", 0],
      ["c", 0],
    ]);
    for (let i = 0; i < 300; i++) {
      const nodes = [...load].map(([key, inFlight]) => node(key, 100, inFlight));
      const chosen = balancer.pick(nodes, { routeKey: undefined, members: nodes });
      load.set(chosen.key, load.get(chosen.key)! + 1);
    }
    // Calls never finish here, so the in-flight counts must stay level.
    expect([...load.values()]).toEqual([100, 100, 100]);
  });
});

describe("power of two choices on latency", () => {
  it("prefers low latency: the slowest of three is never chosen, the fastest in 2/3 of picks", () => {
    const nodes = [node("fast", 100, 0, 10), node("mid", 100, 0, 20), node("slow", 100, 0, 100)];
    const result = shares(new P2cLatencyBalancer(seededRandom(11)), nodes, 60_000);
    expect(result.get("slow")).toBe(0);
    expect(result.get("fast")).toBeCloseTo(2 / 3, 2);
    expect(result.get("mid")).toBeCloseTo(1 / 3, 2);
  });

  it("weighs calls in flight, so a busy fast provider loses to an idle slower one", () => {
    const nodes = [node("fast-busy", 100, 9, 10), node("slow-idle", 100, 0, 50)];
    const result = shares(new P2cLatencyBalancer(seededRandom(5)), nodes, 1_000);
    expect(result.get("slow-idle")).toBe(1);
  });
});

describe("consistent hash balancer", () => {
  const keys = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);

  function owners(balancer: ConsistentHashBalancer, nodes: readonly BalancedEndpoint[], candidates = nodes) {
    return keys.map((routeKey) => balancer.pick(candidates, { routeKey, members: nodes }).key);
  }

  it("sends a key to the same provider every time and spreads keys evenly", () => {
    const nodes = ["a", "b", "c", "d", "e"].map((k) => node(`10.0.0.${k.charCodeAt(0)}:9090`));
    const balancer = new ConsistentHashBalancer();
    const first = owners(balancer, nodes);
    expect(owners(balancer, nodes)).toEqual(first);
    for (const n of nodes) {
      const share = first.filter((o) => o === n.key).length / keys.length;
      expect(share).toBeGreaterThan(0.12);
      expect(share).toBeLessThan(0.28);
    }
  });

  it("moves only the keys of a provider that leaves", () => {
    const nodes = ["a", "b", "c", "d", "e"].map((k) => node(`host-${k}:1`));
    const before = owners(new ConsistentHashBalancer(), nodes);
    const remaining = nodes.filter((n) => n.key !== "host-c:1");
    const after = owners(new ConsistentHashBalancer(), remaining);
    let moved = 0;
    for (let i = 0; i < keys.length; i++) {
      if (before[i] !== "host-c:1") expect(after[i]).toBe(before[i]);
      else moved += 1;
    }
    expect(moved / keys.length).toBeGreaterThan(0.1);
    expect(moved / keys.length).toBeLessThan(0.3);
  });

  it("moves keys only to a provider that joins, about 1/(n+1) of them", () => {
    const nodes = ["a", "b", "c", "d", "e"].map((k) => node(`host-${k}:1`));
    const before = owners(new ConsistentHashBalancer(), nodes);
    const after = owners(new ConsistentHashBalancer(), [...nodes, node("host-f:1")]);
    const moved = after.filter((owner, i) => owner !== before[i]);
    expect(moved.every((owner) => owner === "host-f:1")).toBe(true);
    expect(moved.length / keys.length).toBeGreaterThan(0.08);
    expect(moved.length / keys.length).toBeLessThan(0.26);
  });

  it("walks past a provider that cannot take the call without remapping other keys", () => {
    const nodes = ["a", "b", "c"].map((k) => node(`host-${k}:1`));
    const balancer = new ConsistentHashBalancer();
    const before = owners(balancer, nodes);
    const during = owners(
      balancer,
      nodes,
      nodes.filter((n) => n.key !== "host-b:1"),
    );
    for (let i = 0; i < keys.length; i++) {
      if (before[i] !== "host-b:1") expect(during[i]).toBe(before[i]);
      else expect(during[i]).not.toBe("host-b:1");
    }
  });

  it("gives a heavier provider proportionally more keys", () => {
    const nodes = [node("heavy:1", 300), node("light:1", 100)];
    const result = owners(new ConsistentHashBalancer(), nodes);
    const heavy = result.filter((o) => o === "heavy:1").length / keys.length;
    expect(heavy).toBeGreaterThan(0.65);
    expect(heavy).toBeLessThan(0.85);
  });

  it("rebuilds its ring when a member's weight changes, even in the same members array", () => {
    const light = { key: "light:1", weight: 100, inFlight: 0, latencyEwmaMs: undefined };
    const nodes: BalancedEndpoint[] = [node("heavy:1", 100), light];
    const balancer = new ConsistentHashBalancer();
    const share = () => owners(balancer, nodes).filter((o) => o === "light:1").length / keys.length;
    expect(share()).toBeGreaterThan(0.35);
    light.weight = 0;
    expect(share()).toBe(0);
  });
});

describe("balancers over part of the candidates", () => {
  it("least-pending spreads ties between zero-weight providers evenly and never picks a busier one", () => {
    const nodes = [node("a", 0, 2), node("b", 0, 0), node("c", 0, 0)];
    const result = shares(new LeastPendingBalancer(seededRandom(9)), nodes, 20_000);
    expect(result.get("a")).toBe(0);
    expect(result.get("b")).toBeGreaterThan(0.47);
    expect(result.get("c")).toBeGreaterThan(0.47);
  });

  it("p2c compares two different providers even when all weights are zero", () => {
    const nodes = [node("fast", 0, 0, 1), node("slow", 0, 0, 50)];
    const result = shares(new P2cLatencyBalancer(seededRandom(4)), nodes, 2_000);
    expect(result.get("fast")).toBe(1);
  });
});
