/**
 * The embedded default registry: a static list of providers given up front, with
 * no server. register() adds providers in-process, so a server and its clients in
 * one process (tests, examples) find each other without etcd.
 */
import { Code, RpcError } from "../errors.js";
import { checkServiceName, normalizeProvider, type ProviderInput } from "./provider-info.js";
import { ProviderSetWatch } from "./provider-set-watch.js";
import type { ProviderInfo, ProviderWatch, Registration, Registry } from "./registry.js";
import { defaultLogger, type Logger } from "../logger.js";

/** Options of DirectRegistry. */
export interface DirectRegistryOptions {
  logger?: Logger;
}

/** A Registry over a static, in-process list of providers. */
export class DirectRegistry implements Registry {
  /** service -> address -> provider; one provider per address, like etcd's key per address. */
  private readonly services = new Map<string, Map<string, ProviderInfo>>();
  private readonly watches = new Map<string, Set<ProviderSetWatch>>();
  private readonly logger: Logger;
  private isClosed = false;

  /**
   * @param providers the static list; each is validated (INVALID_ARGUMENT names the bad one),
   *   weight defaults to 100 and metadata to {}. A later entry with the same service and
   *   address replaces an earlier one.
   */
  constructor(providers: readonly ProviderInput[] = [], options: DirectRegistryOptions = {}) {
    this.logger = options.logger ?? defaultLogger();
    providers.forEach((input, index) => {
      let provider: ProviderInfo;
      try {
        provider = normalizeProvider(input);
      } catch (error) {
        const rpcError = RpcError.from(error, Code.INVALID_ARGUMENT);
        throw new RpcError(rpcError.code, `DirectRegistry providers[${index}]: ${rpcError.message}`, {
          cause: error,
        });
      }
      this.providersOf(provider.service).set(provider.address, provider);
    });
  }

  async register(input: ProviderInfo): Promise<Registration> {
    this.checkOpen();
    const provider = normalizeProvider(input);
    this.providersOf(provider.service).set(provider.address, provider);
    this.publish(provider.service);
    this.logger.info({ service: provider.service, address: provider.address }, "provider registered");
    return {
      deregister: async () => {
        const current = this.services.get(provider.service);
        // Only remove our own entry: a later register() of the same address replaced it.
        if (current?.get(provider.address) !== provider) return;
        current.delete(provider.address);
        this.publish(provider.service);
        this.logger.info({ service: provider.service, address: provider.address }, "provider deregistered");
      },
    };
  }

  async watch(service: string): Promise<ProviderWatch> {
    this.checkOpen();
    checkServiceName(service);
    const watches = this.watches.get(service) ?? new Set<ProviderSetWatch>();
    this.watches.set(service, watches);
    const watch = new ProviderSetWatch(service, this.logger, async () => {
      watches.delete(watch);
    });
    watch.replaceAll(this.services.get(service) ?? []);
    watches.add(watch);
    return watch;
  }

  async close(): Promise<void> {
    if (this.isClosed) return;
    this.isClosed = true;
    const all = [...this.watches.values()].flatMap((set) => [...set]);
    await Promise.all(all.map((watch) => watch.close()));
  }

  private providersOf(service: string): Map<string, ProviderInfo> {
    let providers = this.services.get(service);
    if (!providers) {
      providers = new Map();
      this.services.set(service, providers);
    }
    return providers;
  }

  private publish(service: string): void {
    const providers = this.services.get(service) ?? new Map<string, ProviderInfo>();
    for (const watch of this.watches.get(service) ?? []) watch.replaceAll(providers);
  }

  private checkOpen(): void {
    if (this.isClosed) throw new RpcError(Code.FAILED_PRECONDITION, "DirectRegistry is closed");
  }
}
