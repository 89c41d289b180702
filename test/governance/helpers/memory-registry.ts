import { EventEmitter } from "node:events";
import { DEFAULT_PROVIDER_WEIGHT, type ProviderInfo, type ProviderListener, type ProviderWatch, type Registration, type Registry } from "@rpcgen/runtime";

/** An in-memory registry whose provider list a test changes directly. */
export class MemoryRegistry implements Registry {
  private providers: ProviderInfo[] = [];
  private readonly events = new EventEmitter();

  setProviders(providers: readonly Partial<ProviderInfo>[]): void {
    this.providers = providers.map((p) => provider(p));
    this.events.emit("change");
  }

  async register(info: ProviderInfo): Promise<Registration> {
    this.providers = [...this.providers, info];
    this.events.emit("change");
    return {
      deregister: async () => {
        this.providers = this.providers.filter((p) => p !== info);
        this.events.emit("change");
      },
    };
  }

  async watch(service: string): Promise<ProviderWatch> {
    const registry = this;
    const listeners = new EventEmitter();
    const current = () => registry.providers.filter((p) => p.service === service);
    const forward = () => listeners.emit("change", current());
    this.events.on("change", forward);
    const watch: ProviderWatch = {
      service,
      get providers() {
        return current();
      },
      on(_event: "change", listener: ProviderListener) {
        listeners.on("change", listener);
        return watch;
      },
      off(_event: "change", listener: ProviderListener) {
        listeners.off("change", listener);
        return watch;
      },
      async close() {
        registry.events.off("change", forward);
      },
    };
    return watch;
  }

  async close(): Promise<void> {
    this.events.removeAllListeners();
  }
}

/** A ProviderInfo with test defaults (service "Store", version 1.0.0, weight 100). */
export function provider(fields: Partial<ProviderInfo>): ProviderInfo {
  return {
    service: "Store",
    version: "1.0.0",
    address: "127.0.0.1:1",
    weight: DEFAULT_PROVIDER_WEIGHT,
    metadata: {},
    ...fields,
  };
}
