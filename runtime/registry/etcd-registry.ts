/**
 * A Registry on etcd v3: providers are keys under a lease kept alive by the
 * provider (see etcd-key-layout.ts and docs/REGISTRY.md), clients list and watch
 * a service's prefix. Survives etcd restarts, lost leases, compaction and the loss
 * of a minority of cluster members.
 */
import type { Etcd3 } from "etcd3";
import { Code, RpcError } from "../errors.js";
import type { EtcdClientSettings } from "./etcd-client-options.js";
import {
  checkEtcdPrefix,
  DEFAULT_ETCD_PREFIX,
  encodeProviderValue,
  providerKey,
  serviceProvidersPrefix,
} from "./etcd-key-layout.js";
import { EtcdProviderWatch } from "./etcd-provider-watch.js";
import { EtcdRegistration } from "./etcd-registration.js";
import { checkServiceName, normalizeProvider } from "./provider-info.js";
import type { ProviderInfo, ProviderWatch, Registration, Registry } from "./registry.js";
import { defaultLogger, type Logger } from "../logger.js";

/** Options of EtcdRegistry. */
export interface EtcdRegistryOptions {
  /** etcd client URLs, e.g. ["http://10.0.0.1:2379", "http://10.0.0.2:2379"] (plain http). */
  endpoints: readonly string[];
  /** Lease TTL of registrations in whole seconds (default 10): how long a killed provider stays listed. */
  ttlSeconds?: number;
  /** Key prefix (default "/rpcgen"). */
  prefix?: string;
  /** Where warnings (watch failures, lost leases) go; a pino logger fits. Default: the runtime's defaultLogger() (warnings to stderr). */
  logger?: Logger;
  /** Deadline of each single etcd request in ms (default 2000); a timed-out request is retried on another member. */
  requestTimeoutMs?: number;
  /** Upper bound of every reconnect/retry delay in ms (default 500). */
  maxReconnectDelayMs?: number;
}

const DEFAULT_TTL_SECONDS = 10;
// Requests take milliseconds; right after a member dies, etcd sometimes holds a write on a
// live member for seconds, and a short deadline lets the retry move on to another member.
const DEFAULT_REQUEST_TIMEOUT_MS = 2_000;
const DEFAULT_MAX_RECONNECT_DELAY_MS = 500;
const endpointPattern = /^(http:\/\/)?[^\s/]+:\d{1,5}\/?$/;

/** A Registry backed by an etcd v3 cluster. */
export class EtcdRegistry implements Registry {
  readonly prefix: string;
  readonly ttlSeconds: number;
  private readonly clientSettings: EtcdClientSettings;
  /** The etcd client, created with the first register() or watch(). */
  private client: Promise<Etcd3> | undefined;
  private readonly logger: Logger;
  private readonly maxReconnectDelayMs: number;
  private readonly registrations = new Set<EtcdRegistration>();
  private readonly watches = new Set<EtcdProviderWatch>();
  private closing: Promise<void> | undefined;

  /**
   * Validates the options (INVALID_ARGUMENT naming the bad one). etcd3 is loaded and
   * its client created on the first register() or watch(), so a process that
   * imports the runtime without using etcd does not carry etcd3 and its gRPC stack.
   */
  constructor(options: EtcdRegistryOptions) {
    const settings = validateOptions(options);
    this.prefix = settings.prefix;
    this.ttlSeconds = settings.ttlSeconds;
    this.logger = options.logger ?? defaultLogger();
    this.maxReconnectDelayMs = settings.maxReconnectDelayMs;
    this.clientSettings = settings;
  }

  async register(input: ProviderInfo): Promise<Registration> {
    this.checkOpen();
    const provider = normalizeProvider(input);
    const client = await this.etcdClient();
    const registration = new EtcdRegistration(
      {
        client,
        ttlSeconds: this.ttlSeconds,
        maxReconnectDelayMs: this.maxReconnectDelayMs,
        logger: this.logger,
      },
      provider,
      providerKey(this.prefix, provider),
      encodeProviderValue(provider),
      () => this.registrations.delete(registration),
    );
    this.registrations.add(registration);
    try {
      await registration.start();
    } catch (error) {
      this.registrations.delete(registration);
      throw error;
    }
    this.logger.info({ key: registration.key, version: provider.version }, "provider registered in etcd");
    return registration;
  }

  async watch(service: string): Promise<ProviderWatch> {
    this.checkOpen();
    checkServiceName(service);
    const client = await this.etcdClient();
    const watch = new EtcdProviderWatch(
      { client, maxReconnectDelayMs: this.maxReconnectDelayMs, logger: this.logger },
      service,
      serviceProvidersPrefix(this.prefix, service),
      () => this.watches.delete(watch),
    );
    this.watches.add(watch);
    try {
      await watch.start();
    } catch (error) {
      await watch.close();
      throw new RpcError(
        Code.UNAVAILABLE,
        `could not list providers of ${service} from etcd: ${(error as Error).message}`,
        { cause: error },
      );
    }
    return watch;
  }

  /** Deregisters every registration made here, closes every watch, then the etcd client. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    await Promise.all([...this.registrations].map((registration) => registration.deregister()));
    await Promise.all([...this.watches].map((watch) => watch.close()));
    const client = await this.client?.catch(() => undefined);
    client?.close();
  }

  /** The etcd client, loading etcd3 on first use; throws if the registry was closed meanwhile. */
  private async etcdClient(): Promise<Etcd3> {
    this.client ??= import("./etcd-client-options.js").then(
      ({ createEtcdClient }) => createEtcdClient(this.clientSettings),
      (error: unknown) => {
        throw new RpcError(Code.FAILED_PRECONDITION, `EtcdRegistry could not load etcd3: ${(error as Error).message}`, {
          cause: error,
        });
      },
    );
    const client = await this.client;
    // close() may have run while etcd3 loaded; it would not see what is created from here on.
    this.checkOpen();
    return client;
  }

  private checkOpen(): void {
    if (this.closing) throw new RpcError(Code.FAILED_PRECONDITION, "EtcdRegistry is closed");
  }
}

function validateOptions(options: EtcdRegistryOptions) {
  const fail = (message: string): never => {
    throw new RpcError(Code.INVALID_ARGUMENT, `invalid EtcdRegistry options: ${message}`);
  };
  if (typeof options !== "object" || options === null) fail("expected an options object");
  const { endpoints } = options;
  if (!Array.isArray(endpoints) || endpoints.length === 0) {
    fail('endpoints must be a non-empty array such as ["http://127.0.0.1:2379"]');
  }
  endpoints.forEach((endpoint, index) => {
    if (typeof endpoint !== "string" || !endpointPattern.test(endpoint)) {
      fail(
        `endpoints[${index}] ${JSON.stringify(endpoint)} must look like "http://host:port" (TLS is not supported)`,
      );
    }
  });
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
    fail(`ttlSeconds ${JSON.stringify(ttlSeconds)} must be a whole number of seconds >= 1`);
  }
  const prefix = options.prefix ?? DEFAULT_ETCD_PREFIX;
  const prefixProblem = checkEtcdPrefix(prefix);
  if (prefixProblem) fail(prefixProblem);
  const requestTimeoutMs = positive(
    options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    "requestTimeoutMs",
    fail,
  );
  const maxReconnectDelayMs = positive(
    options.maxReconnectDelayMs ?? DEFAULT_MAX_RECONNECT_DELAY_MS,
    "maxReconnectDelayMs",
    fail,
  );
  return { endpoints, ttlSeconds, prefix, requestTimeoutMs, maxReconnectDelayMs };
}

function positive(value: number, name: string, fail: (message: string) => never): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    fail(`${name} ${JSON.stringify(value)} must be a number > 0`);
  }
  return value;
}
