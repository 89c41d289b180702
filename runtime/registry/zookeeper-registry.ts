/**
 * A Registry on ZooKeeper: providers are ephemeral sequential nodes of the
 * registry's session (see zookeeper-layout.ts and docs/REGISTRY.md), clients list
 * and watch the children of a service's providers node. Survives connection loss
 * (the last known list is kept), session expiry (a new session, nodes created
 * again, every watch set again), the loss of a minority of ensemble members and
 * stale nodes of an old session.
 */
import { Code, RpcError } from "../errors.js";
import { defaultLogger, type Logger } from "../logger.js";
import { checkServiceName, normalizeProvider } from "./provider-info.js";
import type { ProviderInfo, ProviderWatch, Registration, Registry } from "./registry.js";
import { positiveOption, RegistryResources } from "./registry-resources.js";
import type { ConnectionSettings } from "./zookeeper-connection.js";
import { checkZooKeeperPrefix, DEFAULT_ZOOKEEPER_PREFIX } from "./zookeeper-layout.js";
import { loadZooKeeperLibrary, type ZooKeeperLibrary } from "./zookeeper-library.js";
import { ZooKeeperProviderWatch } from "./zookeeper-provider-watch.js";
import { ZooKeeperRegistration } from "./zookeeper-registration.js";
import { ZooKeeperSession } from "./zookeeper-session.js";

/** Options of ZooKeeperRegistry. */
export interface ZooKeeperRegistryOptions {
  /** ZooKeeper servers as "host:port", e.g. ["10.0.0.1:2181", "10.0.0.2:2181", "10.0.0.3:2181"]. */
  servers: readonly string[];
  /**
   * Session timeout in ms (default 10000; the server bounds it to 2–20 of its ticks):
   * how long a killed provider stays listed.
   */
  sessionTimeoutMs?: number;
  /** Path prefix (default "/rpcgen"). */
  prefix?: string;
  /** How long register() and watch() wait for ZooKeeper before rejecting with UNAVAILABLE (default 5000). */
  connectTimeoutMs?: number;
  /** Upper bound of every reconnect/retry delay in ms (default 500). */
  maxReconnectDelayMs?: number;
  /** Where warnings go (connection loss, expiry, unreadable nodes); a pino logger fits. Default: defaultLogger(). */
  logger?: Logger;
}

const DEFAULT_SESSION_TIMEOUT_MS = 10_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_RECONNECT_DELAY_MS = 500;
const serverPattern = /^(\[[0-9A-Fa-f:.]+\]|[^\s:/,[\]]+):(\d{1,5})$/;

/** A Registry backed by a ZooKeeper server or ensemble. */
export class ZooKeeperRegistry implements Registry {
  readonly prefix: string;
  readonly sessionTimeoutMs: number;
  private readonly servers: readonly string[];
  private readonly connectTimeoutMs: number;
  private readonly maxReconnectDelayMs: number;
  private readonly logger: Logger;
  /** The session, created with the first register() or watch() (which loads the library). */
  private session: Promise<{ library: typeof ZooKeeperLibrary; session: ZooKeeperSession }> | undefined;
  private readonly resources = new RegistryResources<ZooKeeperRegistration, ZooKeeperProviderWatch>("ZooKeeperRegistry", "ZooKeeper");
  private readonly claimedNodes = new Set<string>();

  /**
   * Validates the options (INVALID_ARGUMENT naming the bad one). node-zookeeper-client
   * is loaded and the session started on the first register() or watch().
   */
  constructor(options: ZooKeeperRegistryOptions) {
    const settings = validateOptions(options);
    this.servers = settings.servers;
    this.prefix = settings.prefix;
    this.sessionTimeoutMs = settings.sessionTimeoutMs;
    this.connectTimeoutMs = settings.connectTimeoutMs;
    this.maxReconnectDelayMs = settings.maxReconnectDelayMs;
    this.logger = options.logger ?? defaultLogger();
  }

  async register(input: ProviderInfo): Promise<Registration> {
    this.resources.checkOpen();
    const provider = normalizeProvider(input);
    const { library, session } = await this.openSession();
    const registration = new ZooKeeperRegistration(
      {
        library,
        session,
        prefix: this.prefix,
        connectTimeoutMs: this.connectTimeoutMs,
        maxReconnectDelayMs: this.maxReconnectDelayMs,
        logger: this.logger,
        claimedNodes: this.claimedNodes,
      },
      provider,
      () => this.resources.forget(registration),
    );
    return this.resources.startRegistration(registration, () => registration.start());
  }

  async watch(service: string): Promise<ProviderWatch> {
    this.resources.checkOpen();
    checkServiceName(service);
    const { library, session } = await this.openSession();
    const watch = new ZooKeeperProviderWatch(
      {
        library,
        session,
        prefix: this.prefix,
        maxReconnectDelayMs: this.maxReconnectDelayMs,
        logger: this.logger,
      },
      service,
      () => this.resources.forget(watch),
    );
    return this.resources.startWatch(watch, service, () => watch.start(this.connectTimeoutMs));
  }

  /** Deregisters every registration made here, closes every watch, then ends the session. */
  close(): Promise<void> {
    return this.resources.close(async () => {
      const opened = await this.session?.catch(() => undefined);
      await opened?.session.close(this.connectTimeoutMs);
    });
  }

  /** The session, loading node-zookeeper-client on first use; throws if the registry was closed meanwhile. */
  private async openSession(): Promise<{ library: typeof ZooKeeperLibrary; session: ZooKeeperSession }> {
    const settings: ConnectionSettings = {
      servers: this.servers,
      sessionTimeoutMs: this.sessionTimeoutMs,
      maxReconnectDelayMs: this.maxReconnectDelayMs,
      logger: this.logger,
    };
    this.session ??= loadZooKeeperLibrary().then((library) => ({
      library,
      session: new ZooKeeperSession(library, settings),
    }));
    const opened = await this.session;
    // close() may have run while the library loaded; it would not see what is created from here on.
    this.resources.checkOpen();
    return opened;
  }

}

function validateOptions(options: ZooKeeperRegistryOptions) {
  const fail = (message: string): never => {
    throw new RpcError(Code.INVALID_ARGUMENT, `invalid ZooKeeperRegistry options: ${message}`);
  };
  if (typeof options !== "object" || options === null) fail("expected an options object");
  const { servers } = options;
  if (!Array.isArray(servers) || servers.length === 0) {
    fail('servers must be a non-empty array such as ["127.0.0.1:2181"]');
  }
  servers.forEach((server, index) => {
    const port = typeof server === "string" ? Number(serverPattern.exec(server)?.[2] ?? 0) : 0;
    if (port < 1 || port > 65535) {
      fail(`servers[${index}] ${JSON.stringify(server)} must look like "host:port"`);
    }
  });
  const prefix = options.prefix ?? DEFAULT_ZOOKEEPER_PREFIX;
  const prefixProblem = checkZooKeeperPrefix(prefix);
  if (prefixProblem) fail(prefixProblem);
  const sessionTimeoutMs = positiveOption(options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS, "sessionTimeoutMs", fail);
  const connectTimeoutMs = positiveOption(options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, "connectTimeoutMs", fail);
  const maxReconnectDelayMs = positiveOption(
    options.maxReconnectDelayMs ?? DEFAULT_MAX_RECONNECT_DELAY_MS,
    "maxReconnectDelayMs",
    fail,
  );
  return { servers: [...servers], prefix, sessionTimeoutMs, connectTimeoutMs, maxReconnectDelayMs };
}
