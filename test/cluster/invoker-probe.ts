/**
 * Reads one provider's counters from a ClusterInvoker's stats, and waits (in
 * short, bounded polls: the invoker emits no event for it) until they satisfy
 * a condition.
 */
import type { ClusterInvoker, ProviderStats } from "@rpcgen/runtime";

/** The stats of `address`, or undefined once the invoker no longer lists it. */
export function providerStats(invoker: ClusterInvoker, address: string): ProviderStats | undefined {
  return invoker.stats().providers.find((p) => p.address === address);
}

/** Polls every 5 ms until `accept` holds for `address`'s stats; rejects after `timeoutMs`. */
export async function waitForStats(
  invoker: ClusterInvoker,
  address: string,
  accept: (stats: ProviderStats | undefined) => boolean,
  description: string,
  timeoutMs = 10_000,
): Promise<ProviderStats | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const stats = providerStats(invoker, address);
    if (accept(stats)) return stats;
    if (Date.now() > deadline) {
      throw new Error(`${address} never showed ${description} within ${timeoutMs} ms: ${JSON.stringify(stats)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A gate the load loop passes before each call; closed while a test kills something. */
export class CallGate {
  private opened: Promise<void> = Promise.resolve();
  private openNow: (() => void) | undefined;

  close(): void {
    this.opened = new Promise((resolve) => (this.openNow = resolve));
  }

  open(): void {
    this.openNow?.();
    this.openNow = undefined;
  }

  pass(): Promise<void> {
    return this.opened;
  }
}
