/**
 * The part of a ProviderWatch that every registry shares: the current list, change
 * detection and listener calls. Registries feed it whole lists or single changes.
 */
import { Code, RpcError } from "../errors.js";
import { compareProviders, sameProvider } from "./provider-info.js";
import type { ProviderInfo, ProviderListener, ProviderWatch } from "./registry.js";
import type { Logger } from "../logger.js";

/** A ProviderWatch over a set of providers keyed by a registry-specific id (etcd key, address). */
export class ProviderSetWatch implements ProviderWatch {
  private readonly entries = new Map<string, ProviderInfo>();
  private readonly listeners = new Set<ProviderListener>();
  private list: readonly ProviderInfo[] = Object.freeze([]);
  private isClosed = false;

  constructor(
    readonly service: string,
    protected readonly logger: Logger,
    private readonly onClose: () => Promise<void> = async () => {},
  ) {}

  get providers(): readonly ProviderInfo[] {
    return this.list;
  }

  on(event: "change", listener: ProviderListener): this {
    checkEvent(event);
    this.listeners.add(listener);
    return this;
  }

  off(event: "change", listener: ProviderListener): this {
    checkEvent(event);
    this.listeners.delete(listener);
    return this;
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    this.listeners.clear();
    await this.onClose();
  }

  /** Replaces every entry (after a full listing); emits "change" only if the list differs. */
  replaceAll(entries: Iterable<[id: string, provider: ProviderInfo]>): void {
    this.entries.clear();
    for (const [id, provider] of entries) this.entries.set(id, provider);
    this.publish();
  }

  /** Applies a batch of changes (undefined removes the entry) and emits at most one "change". */
  apply(changes: Iterable<[id: string, provider: ProviderInfo | undefined]>): void {
    for (const [id, provider] of changes) {
      if (provider) this.entries.set(id, provider);
      else this.entries.delete(id);
    }
    this.publish();
  }

  private publish(): void {
    if (this.isClosed) return;
    const next = [...this.entries.values()].sort(compareProviders);
    const unchanged =
      next.length === this.list.length && next.every((p, i) => sameProvider(p, this.list[i]!));
    if (unchanged) return;
    this.list = Object.freeze(next);
    for (const listener of [...this.listeners]) {
      try {
        listener(this.list);
      } catch (error) {
        // A listener's bug must not break discovery for the other listeners.
        this.logger.error({ err: error, service: this.service }, "provider watch listener threw");
      }
    }
  }
}

function checkEvent(event: string): void {
  if (event !== "change") {
    throw new RpcError(Code.INVALID_ARGUMENT, `ProviderWatch has no event "${event}" (only "change")`);
  }
}
