/**
 * A bounded load loop: makes `total` calls (or as many as fit in
 * `stopAfterMs`) with at most `concurrency` in flight and tallies answers per
 * provider and failures per error code.
 */
import { RpcError } from "@rpcgen/runtime";

/** Options of runLoad. */
export interface LoadOptions {
  total: number;
  concurrency: number;
  /** Makes call number `index`; resolves with the address of the provider that answered. */
  call: (index: number) => Promise<string>;
  /** Called just before call `index` starts: the place to kill a provider mid-run. */
  beforeCall?: (index: number) => void | Promise<void>;
  /** No call starts after this many milliseconds (the calls in flight then still finish). Default: no limit. */
  stopAfterMs?: number;
}

/** What a load run saw. */
export interface LoadResult {
  calls: number;
  failed: number;
  /** Answers per provider address. */
  byProvider: Map<string, number>;
  /** Failures per error code, with one sample message each. */
  errors: Map<string, { count: number; sample: string }>;
}

/** Runs the calls; never rejects because a call failed (failures are counted). */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const result: LoadResult = { calls: 0, failed: 0, byProvider: new Map(), errors: new Map() };
  let next = 0;
  const stopAt = performance.now() + (options.stopAfterMs ?? Infinity);
  const worker = async (): Promise<void> => {
    while (next < options.total && performance.now() < stopAt) {
      const index = next++;
      await options.beforeCall?.(index);
      result.calls += 1;
      try {
        const address = await options.call(index);
        result.byProvider.set(address, (result.byProvider.get(address) ?? 0) + 1);
      } catch (error) {
        result.failed += 1;
        const code = error instanceof RpcError ? error.code : "NOT_AN_RPC_ERROR";
        const entry = result.errors.get(code) ?? { count: 0, sample: String(error) };
        entry.count += 1;
        result.errors.set(code, entry);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.total) }, worker));
  return result;
}

/** "a:1 = 40, b:2 = 60" sorted by address, for printing. */
export function formatCounts(byProvider: ReadonlyMap<string, number>, label?: (address: string) => string): string {
  return [...byProvider.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([address, count]) => `${label ? label(address) : address} = ${count}`)
    .join(", ");
}
