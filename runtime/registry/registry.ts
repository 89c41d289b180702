/**
 * The registry contract: servers register the providers they run, clients watch
 * the providers of a service. Implementations: DirectRegistry (a static list,
 * no server needed), EtcdRegistry (leases, keepalive, prefix watch) and
 * ZooKeeperRegistry (ephemeral sequential nodes, child and data watches).
 * Version selection (semver ranges) happens above this layer, in governance.
 */

/** One running provider of a service, as stored in and returned by a registry. */
export interface ProviderInfo {
  /** Service name as in ServiceDescriptor.name. */
  service: string;
  /** Semver version of the service this provider implements. */
  version: string;
  /** "host:port" the provider listens on. */
  address: string;
  /** Relative weight for weighted load balancing; default 100. */
  weight: number;
  /** Free-form string labels (zone, worker id, ...). */
  metadata: Record<string, string>;
}

/** A provider's registration, held by the server for its lifetime. */
export interface Registration {
  /** Removes the provider from the registry (graceful shutdown calls it BEFORE draining). */
  deregister(): Promise<void>;
}

/** Listener for a watch's provider list; called with the whole new list. */
export type ProviderListener = (providers: readonly ProviderInfo[]) => void;

/** A live view of the providers of one service. */
export interface ProviderWatch {
  /** The service this watch follows. */
  readonly service: string;
  /** Current known providers (last known good while the registry is unreachable). */
  readonly providers: readonly ProviderInfo[];
  /** Emits "change" with the full new list each time the list changes. */
  on(event: "change", listener: ProviderListener): this;
  off(event: "change", listener: ProviderListener): this;
  /** Stops watching; the list stays as it was and no more events are emitted. */
  close(): Promise<void>;
}

/** A service registry: where servers announce themselves and clients find them. */
export interface Registry {
  /** Announces a provider; resolves once it is visible to watchers. */
  register(provider: ProviderInfo): Promise<Registration>;
  /** Resolves once the first full list is known. */
  watch(service: string): Promise<ProviderWatch>;
  /** Closes every watch and registration this registry opened (registrations are removed). */
  close(): Promise<void>;
}

/** The default weight of a provider that does not say otherwise. */
export const DEFAULT_PROVIDER_WEIGHT = 100;
