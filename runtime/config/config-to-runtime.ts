import type { ServiceDescriptor } from "../descriptor.js";
import type { ClusterInvokerOptions } from "../governance/cluster-options.js";
import { channelTransportFactory } from "../governance/default-transport.js";
import type { TransportFactory } from "../governance/provider-transport.js";
import type { Logger } from "../logger.js";
import { grpcTransportFactory } from "../protocols/grpc/grpc-transport-factory.js";
import { thriftTransportFactory } from "../protocols/thrift/thrift-transport-factory.js";
import { DirectRegistry } from "../registry/direct-registry.js";
import { EtcdRegistry } from "../registry/etcd-registry.js";
import { ZooKeeperRegistry } from "../registry/zookeeper-registry.js";
import type { ProviderInfo, Registry } from "../registry/registry.js";
import type { ListenOptions, ServerOptions } from "../server/server.js";
import { clientSettingsFor } from "./client-settings.js";
import { clientSecurity, registrySecurity, serverSecurity } from "./security-settings.js";
import { PROVIDER_TLS_KEY } from "../security/provider-tls.js";
import type { ClientTlsOptions } from "../security/client-tls.js";
import type { RpcgenConfig } from "./config-schema.js";

/** The registry the configuration describes: a DirectRegistry over `registry.providers`, an EtcdRegistry or a ZooKeeperRegistry. */
export function createRegistryFromConfig(config: RpcgenConfig, options: { logger?: Logger } = {}): Registry {
  const registry = config.registry;
  if (registry.protocol === "etcd") {
    return new EtcdRegistry({
      endpoints: registry.endpoints ?? [],
      ttlSeconds: registry.ttlSeconds,
      ...registrySecurity(registry),
      prefix: registry.prefix,
      requestTimeoutMs: registry.requestTimeoutMs,
      logger: options.logger,
    });
  }
  if (registry.protocol === "zookeeper") {
    return new ZooKeeperRegistry({
      servers: registry.endpoints ?? [],
      sessionTimeoutMs: registry.sessionTimeoutMs,
      connectTimeoutMs: registry.connectTimeoutMs,
      prefix: registry.prefix,
      logger: options.logger,
    });
  }
  return new DirectRegistry(registry.providers ?? [], { logger: options.logger });
}

/**
 * ClusterInvoker options for `service` from the configuration's client section
 * (defaults overlaid with the service's own settings). `extra` adds what a file
 * cannot hold: fallbacks, a logger, a custom transport factory.
 */
export function clusterOptionsFromConfig(
  config: RpcgenConfig,
  service: ServiceDescriptor,
  registry: Registry,
  extra: Partial<ClusterInvokerOptions> = {},
): ClusterInvokerOptions {
  const settings = clientSettingsFor(config, service.name);
  const { failureCodes, ...breaker } = settings.breaker ?? {};
  return {
    service,
    registry,
    versionRange: settings.versionRange,
    balancer: settings.balancer,
    policy: settings.policy,
    retries: settings.retries,
    idempotent: settings.idempotent,
    timeoutMs: settings.timeoutMs,
    attemptTimeoutMs: settings.attemptTimeoutMs,
    forks: settings.forks,
    methods: settings.methods,
    breaker: { ...breaker, ...(failureCodes === undefined ? {} : { failureCodes }) },
    bulkhead: settings.bulkhead,
    retryBudget: settings.retryBudget,
    backoff: settings.backoff,
    transportFactory:
      settings.protocol === "grpc"
        ? grpcTransportFactory(withoutUndefined({ connectTimeoutMs: settings.connectTimeoutMs, logger: extra.logger }), service)
        : settings.protocol === "thrift"
          ? thriftTransportFactory(
              withoutUndefined({
                transport: settings.transport,
                protocol: settings.thriftProtocol,
                // Only THeader carries metadata to send a token in.
                token: settings.transport === "header" ? clientSecurity(config, service.name).token : undefined,
                multiplexed: settings.multiplexed,
                poolSize: settings.poolSize,
                connectTimeoutMs: settings.connectTimeoutMs,
                logger: extra.logger,
              }),
            )
          : configuredTransportFactory(settings.codec, settings.poolSize, settings.connectTimeoutMs, extra.logger, clientSecurity(config, service.name)),
    ...withoutUndefined(extra),
  };
}

/** Channels with the configured codec, pool size and connect timeout (see channelTransportFactory). */
function configuredTransportFactory(
  codec: "binary" | "json" | undefined,
  poolSize: number | undefined,
  connectTimeoutMs: number | undefined,
  logger: Logger | undefined,
  security: { tls?: ClientTlsOptions; token?: string } = {},
): TransportFactory {
  return channelTransportFactory({
    ...security,
    ...(codec === undefined ? {} : { codec }),
    ...(poolSize === undefined ? {} : { poolSize }),
    ...(connectTimeoutMs === undefined ? {} : { connectTimeoutMs }),
    ...(logger === undefined ? {} : { logger }),
  });
}

/** What a server process needs from the configuration. */
export interface ServerSettings {
  readonly serverOptions: ServerOptions;
  readonly listen: ListenOptions;
  /** Grace period of a graceful shutdown, if configured. */
  readonly shutdownGraceMs: number | undefined;
  /**
   * The providers to register once listening. `boundAddress` is the address the
   * server actually bound (matters with port 0); `server.advertiseAddress` wins over it.
   */
  providers(boundAddress?: string): ProviderInfo[];
}

/** Server options, listen options and registrations from the `server` section; undefined without one. */
export function serverSettingsFromConfig(config: RpcgenConfig): ServerSettings | undefined {
  const server = config.server;
  if (server === undefined) return undefined;
  const separator = server.address.lastIndexOf(":");
  const host = server.address.slice(0, separator).replace(/^\[(.*)\]$/, "$1");
  const port = Number(server.address.slice(separator + 1));
  return {
    serverOptions: { ...server.limits, ...serverSecurity(server), ...(server.cors === undefined ? {} : { cors: server.cors }) },
    listen: { host, port, ...(server.workers === undefined ? {} : { workers: server.workers }) },
    shutdownGraceMs: server.shutdownGraceMs,
    providers: (boundAddress) =>
      server.services.map((service) => ({
        service: service.name,
        version: service.version,
        address: server.advertiseAddress ?? boundAddress ?? server.address,
        weight: service.weight ?? 100,
        metadata: {
          ...(server.tls === undefined ? {} : { [PROVIDER_TLS_KEY]: "true" }),
          ...service.metadata,
          ...(server.codec === undefined ? {} : { codec: server.codec }),
        },
      })),
  };
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
