/**
 * Test helpers for registry tests: wait for a watch's list to satisfy a condition
 * (event-driven, bounded in time) and a logger that records what the registry says.
 */
import type { Logger, ProviderInfo } from "@rpcgen/runtime";

/**
 * Resolves with the list once `accept(list)` is true; checks now, then on every
 * "change"; rejects after `timeoutMs` (the helper the cluster example uses).
 */
export { waitForProviders as watchUntil } from "../../examples/cluster/wait-for-providers.js";

/** The providers' addresses, sorted and joined, for readable assertions. */
export function addresses(providers: readonly ProviderInfo[]): string {
  return providers
    .map((p) => p.address)
    .sort()
    .join(",");
}

/** A provider with defaults, for tests. */
export function provider(service: string, port: number, version = "1.0.0"): ProviderInfo {
  return { service, version, address: `127.0.0.1:${port}`, weight: 100, metadata: {} };
}

interface LogEntry {
  level: string;
  message: string;
  fields: object;
}

/** A Logger that keeps every entry and lets a test await a message. */
export class RecordingLogger implements Logger {
  readonly entries: LogEntry[] = [];
  private waiters: { message: string; from: number; resolve: () => void }[] = [];

  debug = this.record("debug");
  info = this.record("info");
  warn = this.record("warn");
  error = this.record("error");

  /** How many entries so far carry `message`. */
  count(message: string): number {
    return this.entries.filter((e) => e.message === message).length;
  }

  /** Resolves once there are more than `already` entries with `message`. */
  waitFor(message: string, already = this.count(message), timeoutMs = 20_000): Promise<void> {
    if (this.count(message) > already) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`no log "${message}" within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = {
        message,
        from: already,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      this.waiters.push(waiter);
    });
  }

  private record(level: string) {
    return (fieldsOrMessage: object | string, message?: string): void => {
      const entry =
        typeof fieldsOrMessage === "string"
          ? { level, message: fieldsOrMessage, fields: {} }
          : { level, message: message ?? "", fields: fieldsOrMessage };
      this.entries.push(entry);
      const ready = this.waiters.filter((w) => w.message === entry.message && this.count(w.message) > w.from);
      this.waiters = this.waiters.filter((w) => !ready.includes(w));
      for (const waiter of ready) waiter.resolve();
    };
  }
}
