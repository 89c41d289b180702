import { ConsistentHashBalancer } from "./consistent-hash-balancer.js";
import { LeastPendingBalancer } from "./least-pending-balancer.js";
import type { BalancerName, LoadBalancer } from "./load-balancer.js";
import { P2cLatencyBalancer } from "./p2c-latency-balancer.js";
import { RandomBalancer } from "./random-balancer.js";
import { RoundRobinBalancer } from "./round-robin-balancer.js";
import type { RandomSource } from "./seeded-random.js";

/** Builds a balancer by its configuration name; `random` fixes the randomness for tests. */
export function createBalancer(name: BalancerName, random: RandomSource = Math.random): LoadBalancer {
  switch (name) {
    case "random":
      return new RandomBalancer(random);
    case "round-robin":
      return new RoundRobinBalancer();
    case "least-pending":
      return new LeastPendingBalancer(random);
    case "consistent-hash":
      return new ConsistentHashBalancer(undefined, random);
    case "p2c-latency":
      return new P2cLatencyBalancer(random);
  }
}
