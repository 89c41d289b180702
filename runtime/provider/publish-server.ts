import cluster from "node:cluster";
import type { ServiceDescriptor } from "../descriptor.js";
import { Code, RpcError } from "../errors.js";
import { defaultLogger, type Logger } from "../logger.js";
import { normalizeProvider } from "../registry/provider-info.js";
import type { ProviderInfo, Registration, Registry } from "../registry/registry.js";
import type { CloseOptions, ListenOptions } from "../server/server.js";
import type { HostPort } from "../transport/address.js";
import { PROVIDER_TLS_KEY } from "../security/provider-tls.js";
import { advertisedAddress } from "./advertise-address.js";

/** What publishServer needs from a server: a Server fits. */
export interface PublishableServer {
  listen(options?: ListenOptions): Promise<HostPort>;
  close(options?: CloseOptions): Promise<void>;
  /** True when the port speaks TLS: every service is then registered with `tls: "true"`, so clients use TLS. */
  readonly tlsEnabled?: boolean;
}

/** One service the server runs and announces. */
export interface PublishedService {
  /** The generated `XService` descriptor; its handler must already be added to the server. */
  descriptor: ServiceDescriptor;
  /** Semver version to announce; default: the descriptor's `version` annotation. */
  version?: string;
  /** Overrides the server-wide weight for this service. */
  weight?: number;
  /** Added to (and winning over) the server-wide metadata for this service. */
  metadata?: Record<string, string>;
}

/** Options of publishServer. */
export interface PublishServerOptions {
  server: PublishableServer;
  registry: Registry;
  services: readonly PublishedService[];
  /** Passed to `server.listen`; default 127.0.0.1 on a free port. */
  listen?: ListenOptions;
  /** `host:port` clients should dial; default: the bound address (a wildcard bind is replaced by this host's IPv4). */
  advertiseAddress?: string;
  /** Weight of every service for weighted balancing; default 100. */
  weight?: number;
  /** Labels registered with every service (zone, pid, ...). */
  metadata?: Record<string, string>;
  logger?: Logger;
}

/** A listening, registered server. */
export interface PublishedServer {
  /** The address registered for clients. */
  readonly address: string;
  /** What was registered, one entry per service (empty in a worker process). */
  readonly providers: readonly ProviderInfo[];
  /**
   * Graceful shutdown in the order that loses no call: deregister every service
   * first (clients stop picking this server), then `server.close` (goaway,
   * calls in flight drain for up to `graceMs`, close). Calling it again returns
   * the same promise. Fits `installShutdownSignals`.
   */
  close(options?: CloseOptions): Promise<void>;
}

/**
 * Starts `server` listening and registers each of its services in `registry`
 * once it can take calls. If a registration fails, what was registered is
 * removed, the server is closed and the error is thrown.
 *
 * In a worker process of `listen: { workers }` nothing is registered: the
 * primary, which runs the same code, registers the shared port once.
 *
 * ```ts
 * const server = new Server();
 * registerInventory(server, handler);
 * const published = await publishServer({ server, registry, services: [{ descriptor: InventoryService }] });
 * installShutdownSignals(published);
 * ```
 */
export async function publishServer(options: PublishServerOptions): Promise<PublishedServer> {
  const logger = options.logger ?? defaultLogger();
  const drafts = options.services.map((service) => draftProvider(service, options));
  if (drafts.length === 0) {
    throw new RpcError(Code.INVALID_ARGUMENT, "publishServer needs at least one service to register");
  }
  const bound = await options.server.listen(options.listen);
  const isWorker = cluster.isWorker && (options.listen?.workers ?? 0) > 0;
  let address: string;
  let providers: ProviderInfo[];
  try {
    address = options.advertiseAddress ?? advertisedAddress(bound);
    // Validated before anything is registered, so a bad one leaves nothing behind.
    providers = drafts.map((draft) => normalizeProvider({ ...draft, address }));
  } catch (error) {
    await options.server.close({ graceMs: 0 });
    throw error;
  }
  const registrations = isWorker ? [] : await registerAll(options, providers);
  let closing: Promise<void> | undefined;
  return {
    address,
    providers: isWorker ? [] : providers,
    close(closeOptions: CloseOptions = {}): Promise<void> {
      closing ??= (async () => {
        await deregisterAll(registrations, logger);
        await options.server.close(closeOptions);
      })();
      return closing;
    },
  };
}

type ProviderDraft = Omit<ProviderInfo, "address">;

function draftProvider(service: PublishedService, options: PublishServerOptions): ProviderDraft {
  const version = service.version ?? service.descriptor.version;
  if (version === undefined) {
    throw new RpcError(
      Code.INVALID_ARGUMENT,
      `service ${service.descriptor.name} has no version: add (version = "1.0.0") to the IDL service or pass version`,
    );
  }
  return {
    service: service.descriptor.name,
    version,
    weight: service.weight ?? options.weight ?? 100,
    metadata: {
      ...(options.server.tlsEnabled === true ? { [PROVIDER_TLS_KEY]: "true" } : {}),
      ...options.metadata,
      ...service.metadata,
    },
  };
}

async function registerAll(options: PublishServerOptions, providers: ProviderInfo[]): Promise<Registration[]> {
  const registrations: Registration[] = [];
  try {
    for (const provider of providers) registrations.push(await options.registry.register(provider));
    return registrations;
  } catch (error) {
    await deregisterAll(registrations, options.logger ?? defaultLogger());
    await options.server.close({ graceMs: 0 });
    throw error;
  }
}

async function deregisterAll(registrations: readonly Registration[], logger: Logger): Promise<void> {
  const results = await Promise.allSettled(registrations.map((registration) => registration.deregister()));
  for (const result of results) {
    // Shutdown goes on regardless: the registry entry expires with its lease.
    if (result.status === "rejected") logger.warn({ err: String(result.reason) }, "deregistering a provider failed");
  }
}
