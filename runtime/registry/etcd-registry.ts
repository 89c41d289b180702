/**
 * A Registry on etcd v3: providers are keys under a lease kept alive by the
 * provider (see etcd-key-layout.ts and docs/REGISTRY.md), clients list and watch
 * a service's prefix. Survives etcd restarts, lost leases, compaction and the loss
 * of a minority of cluster members.
 */
import { readFileSync } from "node:fs";
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
import { positiveOption, RegistryResources } from "./registry-resources.js";
import { defaultLogger, type Logger } from "../logger.js";

/** TLS to etcd: the CA bundle etcd's certificate must chain to, and a client certificate for `--client-cert-auth`. */
export interface EtcdTlsOptions {
  /** Default: the system's trusted CAs. */
  ca?: string | Buffer;
  caFile?: string;
  cert?: string | Buffer;
  certFile?: string;
  key?: string | Buffer;
  keyFile?: string;
}

/** etcd's own user/password authentication (`etcdctl user add`, `etcdctl auth enable`). Never logged. */
export interface EtcdAuthOptions {
  username: string;
  password: string;
}

/** Options of EtcdRegistry. */
export interface EtcdRegistryOptions {
  /**
   * etcd client URLs, all `http://` or all `https://`, e.g.
   * ["https://10.0.0.1:2379", "https://10.0.0.2:2379"].
   */
  endpoints: readonly string[];
  /** TLS settings for `https://` endpoints (without them, https uses the system's trusted CAs). */
  tls?: EtcdTlsOptions;
  /** User and password, when etcd has authentication enabled. */
  auth?: EtcdAuthOptions;
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
const endpointPattern = /^(https?:\/\/)?[^\s/]+:\d{1,5}\/?$/;
const knownOptions = new Set(["endpoints", "tls", "auth", "ttlSeconds", "prefix", "logger", "requestTimeoutMs", "maxReconnectDelayMs"]);

/** A Registry backed by an etcd v3 cluster. */
export class EtcdRegistry implements Registry {
  readonly prefix: string;
  readonly ttlSeconds: number;
  private readonly clientSettings: EtcdClientSettings;
  /** The etcd client, created with the first register() or watch(). */
  private client: Promise<Etcd3> | undefined;
  private readonly logger: Logger;
  private readonly maxReconnectDelayMs: number;
  private readonly resources = new RegistryResources<EtcdRegistration, EtcdProviderWatch>("EtcdRegistry", "etcd");

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
    if (settings.plainPassword) {
      this.logger.warn({ endpoints: settings.endpoints }, "etcd user/password sent over plain http: use https:// endpoints");
    }
  }

  async register(input: ProviderInfo): Promise<Registration> {
    this.resources.checkOpen();
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
      () => this.resources.forget(registration),
    );
    await this.resources.startRegistration(registration, () => registration.start());
    this.logger.info({ key: registration.key, version: provider.version }, "provider registered in etcd");
    return registration;
  }

  async watch(service: string): Promise<ProviderWatch> {
    this.resources.checkOpen();
    checkServiceName(service);
    const client = await this.etcdClient();
    const watch = new EtcdProviderWatch(
      { client, maxReconnectDelayMs: this.maxReconnectDelayMs, logger: this.logger },
      service,
      serviceProvidersPrefix(this.prefix, service),
      () => this.resources.forget(watch),
    );
    return this.resources.startWatch(watch, service, () => watch.start());
  }

  /** Deregisters every registration made here, closes every watch, then the etcd client. */
  close(): Promise<void> {
    return this.resources.close(async () => {
      const client = await this.client?.catch(() => undefined);
      client?.close();
    });
  }

  /** The etcd client, loading etcd3 on first use; throws if the registry was closed meanwhile. */
  private async etcdClient(): Promise<Etcd3> {
    this.client ??= import("./etcd-client-options.js").then(
      ({ createEtcdClient }) => createEtcdClient(this.clientSettings),
      (error: unknown) => {
        throw new RpcError(Code.FAILED_PRECONDITION, `EtcdRegistry could not load etcd3 (${(error as Error).message}); install it with: npm install etcd3`, {
          cause: error,
        });
      },
    );
    const client = await this.client;
    // close() may have run while etcd3 loaded; it would not see what is created from here on.
    this.resources.checkOpen();
    return client;
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
  for (const key of Object.keys(options)) {
    // A misspelt or unsupported option (credentials, password, ...) is a mistake, not something to ignore.
    if (!knownOptions.has(key)) fail(`unknown option "${key}" (known: ${[...knownOptions].join(", ")})`);
  }
  endpoints.forEach((endpoint, index) => {
    if (typeof endpoint !== "string" || !endpointPattern.test(endpoint)) {
      fail(`endpoints[${index}] ${JSON.stringify(endpoint)} must look like "http://host:port" or "https://host:port"`);
    }
  });
  const secure = endpoints.map((endpoint) => endpoint.startsWith("https://"));
  if (secure.some((s) => s) && !secure.every((s) => s)) fail("endpoints must all be http:// or all https://");
  const credentials = etcdCredentials(options.tls, secure[0] === true, fail);
  const auth = etcdAuth(options.auth, fail);
  const ttlSeconds = options.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
    fail(`ttlSeconds ${JSON.stringify(ttlSeconds)} must be a whole number of seconds >= 1`);
  }
  const prefix = options.prefix ?? DEFAULT_ETCD_PREFIX;
  const prefixProblem = checkEtcdPrefix(prefix);
  if (prefixProblem) fail(prefixProblem);
  const requestTimeoutMs = positiveOption(
    options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    "requestTimeoutMs",
    fail,
  );
  const maxReconnectDelayMs = positiveOption(
    options.maxReconnectDelayMs ?? DEFAULT_MAX_RECONNECT_DELAY_MS,
    "maxReconnectDelayMs",
    fail,
  );
  return { endpoints, ttlSeconds, prefix, requestTimeoutMs, maxReconnectDelayMs, credentials, auth, plainPassword: auth !== undefined && secure[0] !== true };
}

function etcdCredentials(tls: EtcdTlsOptions | undefined, secure: boolean, fail: (message: string) => never): EtcdClientSettings["credentials"] {
  if (tls === undefined) return undefined;
  if (typeof tls !== "object" || tls === null) fail("tls must be an object");
  const known = new Set(["ca", "caFile", "cert", "certFile", "key", "keyFile"]);
  for (const key of Object.keys(tls)) if (!known.has(key)) fail(`unknown option "tls.${key}"`);
  if (!secure) fail('tls needs https:// endpoints ("http://" ones are plaintext)');
  const read = (inline: string | Buffer | undefined, file: string | undefined, name: string): Buffer | undefined => {
    if (inline !== undefined && file !== undefined) fail(`give at most one of tls.${name} and tls.${name}File`);
    if (file === undefined) return inline === undefined ? undefined : Buffer.from(inline);
    try {
      return readFileSync(file);
    } catch (error) {
      return fail(`tls.${name}File: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? "error"})`);
    }
  };
  const ca = read(tls.ca, tls.caFile, "ca");
  const cert = read(tls.cert, tls.certFile, "cert");
  const key = read(tls.key, tls.keyFile, "key");
  if ((cert === undefined) !== (key === undefined)) fail("a client certificate (tls.cert) needs its key (tls.key), and a key its certificate");
  return { rootCertificate: ca, privateKey: key, certChain: cert };
}

function etcdAuth(auth: EtcdAuthOptions | undefined, fail: (message: string) => never): EtcdAuthOptions | undefined {
  if (auth === undefined) return undefined;
  if (typeof auth !== "object" || auth === null) fail("auth must be an object { username, password }");
  for (const key of Object.keys(auth)) if (key !== "username" && key !== "password") fail(`unknown option "auth.${key}"`);
  // The password itself never appears in a message.
  if (typeof auth.username !== "string" || auth.username === "") fail("auth.username must be a non-empty string");
  if (typeof auth.password !== "string" || auth.password === "") fail("auth.password must be a non-empty string");
  return { username: auth.username, password: auth.password };
}
