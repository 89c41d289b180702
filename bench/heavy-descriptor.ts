import { defineService } from "@rpcgen/runtime";

/**
 * `service Heavy { string hash(1: i32 ms) }`, written out as the generator would:
 * the CPU-heavy method of the offload case ("cheap-beside-heavy"), served beside
 * the Echo service by rpcgen's bench server.
 */
export const HeavyService = defineService({
  name: "Heavy",
  qualifiedName: "bench.Heavy",
  methods: {
    hash: { args: [{ id: 1, name: "ms", type: { kind: "i32" } }], returns: { kind: "string" } },
  },
});

/** How long one heavy call computes. */
export const heavyCallMs = 50;
/** Heavy calls the offload case's client keeps in flight on its own connection. */
export const heavyCallsInFlight = 2;
