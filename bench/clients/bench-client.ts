import type { CaseSpec } from "../case-spec.js";

/** One framework's client, set up for one case's workload. */
export interface BenchClient {
  /** Makes one call of the case's workload and resolves with its answer. */
  call(): Promise<unknown>;
  /** Makes one "park" call (the memory case). */
  park(id: number): Promise<unknown>;
  close(): Promise<void>;
}

/** Opens a framework's client to the server on `port` for `spec`. */
export type ClientFactory = (
  spec: CaseSpec,
  port: number,
) => Promise<BenchClient>;

/** Round-robin over `count` connections made by `open`: the "N connections" of the frameworks with no pool. */
export function roundRobin<T>(
  count: number,
  open: (index: number) => T,
): () => T {
  const items = Array.from({ length: count }, (_, index) => open(index));
  let next = 0;
  return () => {
    const item = items[next]!;
    next = (next + 1) % items.length;
    return item;
  };
}
