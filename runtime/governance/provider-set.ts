import type semver from "semver";
import { Code, RpcError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { ProviderInfo, ProviderWatch, Registry } from "../registry/registry.js";
import type { BreakerOptions, BreakerState } from "./circuit-breaker.js";
import { Endpoint } from "./endpoint.js";
import type { TransportFactory } from "./provider-transport.js";
import { noMatchingVersionError, versionMatches } from "./version-selection.js";

/** Everything a ProviderSet needs to turn registry entries into endpoints. */
export interface ProviderSetOptions {
  service: string;
  registry: Registry;
  range: semver.Range | undefined;
  rangeText: string | undefined;
  transportFactory: TransportFactory;
  breaker: BreakerOptions;
  logger: Logger;
  now: () => number;
}

/**
 * The live providers of one service for one client: follows the registry
 * watch, keeps only versions in the range, opens a transport per provider,
 * stops sending to providers that say "goaway" (draining) or whose lost
 * connection is not answered by a ping (unreachable), and retires removed ones
 * (closed gracefully after their calls in flight).
 */
export class ProviderSet {
  private readonly byAddress = new Map<string, Endpoint>();
  /** `byAddress`'s values, rebuilt only when membership changes: every call reads it. */
  private memberList: readonly Endpoint[] = [];
  private seen: readonly ProviderInfo[] = [];
  private watch: ProviderWatch | undefined;
  private closed = false;
  private readonly retiring = new Set<Promise<void>>();
  private readonly onChange = (providers: readonly ProviderInfo[]): void => this.apply(providers);

  constructor(private readonly options: ProviderSetOptions) {}

  /** Starts watching; resolves when the first provider list has been applied. */
  async start(): Promise<void> {
    const watch = await this.options.registry.watch(this.options.service);
    if (this.closed) {
      await watch.close();
      return;
    }
    this.watch = watch;
    watch.on("change", this.onChange);
    this.apply(watch.providers);
  }

  /**
   * Current members: in the version range and not removed (any may be taking no
   * calls for now: breaker open, unreachable, draining). The same array until membership changes, so callers may cache
   * what they derive from it by identity; it is never mutated.
   */
  get members(): readonly Endpoint[] {
    return this.memberList;
  }

  /** Every provider the registry listed last, whatever its version. */
  get seenProviders(): readonly ProviderInfo[] {
    return this.seen;
  }

  /** The UNAVAILABLE error that explains why no provider can take a call. */
  noProviderError(): RpcError {
    const service = this.options.service;
    if (this.seen.length === 0) {
      return new RpcError(Code.UNAVAILABLE, `no providers of ${service} are registered`);
    }
    if (this.byAddress.size === 0 && this.options.rangeText !== undefined) {
      return noMatchingVersionError(service, this.options.rangeText, this.seen);
    }
    const states = this.members.map((e) => `${e.key} (${e.state})`).join(", ");
    return new RpcError(
      Code.UNAVAILABLE,
      `all ${this.byAddress.size} providers of ${service} are unavailable: ${states}`,
    );
  }

  /** Stops the watch and closes every transport after its calls in flight. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.watch !== undefined) {
      this.watch.off("change", this.onChange);
      await this.watch.close();
    }
    for (const endpoint of this.byAddress.values()) this.retire(endpoint);
    this.byAddress.clear();
    this.memberList = [];
    await Promise.all([...this.retiring]);
  }

  private apply(providers: readonly ProviderInfo[]): void {
    if (this.closed) return;
    this.seen = providers.filter((p) => p.service === this.options.service);
    const wanted = new Map<string, ProviderInfo>();
    for (const provider of this.seen) {
      if (versionMatches(provider, this.options.range)) wanted.set(provider.address, provider);
    }
    for (const [address, endpoint] of this.byAddress) {
      if (wanted.has(address)) continue;
      this.byAddress.delete(address);
      this.options.logger.info({ service: this.options.service, address }, "provider left; draining it");
      this.retire(endpoint);
    }
    for (const [address, provider] of wanted) {
      const existing = this.byAddress.get(address);
      if (existing !== undefined) existing.info = provider;
      else this.byAddress.set(address, this.open(provider));
    }
    // A new array even if only weights changed: balancers key their caches on its identity.
    this.memberList = [...this.byAddress.values()];
  }

  private open(provider: ProviderInfo): Endpoint {
    const endpoint = new Endpoint(
      provider,
      this.options.transportFactory(provider),
      this.options.breaker,
      (e, state, reason) => this.logBreaker(e, state, reason),
      this.options.now,
    );
    const probeIntervalMs = this.options.breaker.probeIntervalMs;
    const onGoaway = () => {
      endpoint.pause("draining", probeIntervalMs);
      this.options.logger.info({ service: this.options.service, address: endpoint.key }, "provider sent goaway");
    };
    const onConnected = () => endpoint.resume();
    const onDisconnected = () => {
      void endpoint.checkReachable(probeIntervalMs).then((unreachable) => {
        if (!unreachable) return;
        this.options.logger.warn(
          { service: this.options.service, address: endpoint.key },
          "provider unreachable: connection lost and no answer to a ping",
        );
      });
    };
    endpoint.transport.on("goaway", onGoaway);
    endpoint.transport.on("connected", onConnected);
    endpoint.transport.on("disconnected", onDisconnected);
    endpoint.detachListeners = () => {
      endpoint.transport.off("goaway", onGoaway);
      endpoint.transport.off("connected", onConnected);
      endpoint.transport.off("disconnected", onDisconnected);
    };
    return endpoint;
  }

  private retire(endpoint: Endpoint): void {
    endpoint.detachListeners();
    const done = endpoint
      .retire()
      .catch((error: unknown) =>
        this.options.logger.warn(
          { service: this.options.service, address: endpoint.key, err: error },
          "closing provider transport failed",
        ),
      )
      .finally(() => this.retiring.delete(done));
    this.retiring.add(done);
  }

  private logBreaker(endpoint: Endpoint, state: BreakerState, reason: string): void {
    // Opening is worth a warning; recovery steps are routine.
    const log = state === "open" ? this.options.logger.warn : this.options.logger.info;
    log.call(
      this.options.logger,
      { service: this.options.service, address: endpoint.key, breaker: state, reason },
      `circuit breaker ${state}`,
    );
  }
}
