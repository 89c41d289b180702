import semver from "semver";
import { z } from "zod";
import { Code } from "../errors.js";
import { BALANCER_NAMES } from "../governance/load-balancer.js";
import { canonicalOrigin, isHeaderName } from "../protocols/http/cors-policy.js";
import { clientTlsSchema, registryAuthSchema, registryTlsSchema, secretSchema, serverAuthSchema, serverTlsSchema } from "./security-schema.js";

/*
 * The schema of an rpcgen configuration file. Every message is phrased as
 * "expected ..." so that the formatter can append ", got <value>" and prefix
 * the key path: `client.services.Calculator.retries: expected a whole number ≥ 0, got "two"`.
 */

const wholeNumber = (min: number) => {
  const message = `expected a whole number ≥ ${min}`;
  return z
    .number({ error: message })
    .int({ error: message })
    .min(min, { error: message })
    .max(Number.MAX_SAFE_INTEGER, { error: message });
};

const fraction = (what: string) => {
  const message = `expected ${what} between 0 and 1`;
  return z.number({ error: message }).min(0, { error: message }).max(1, { error: message });
};

const text = (what: string) => z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}` });

const flag = z.boolean({ error: "expected true or false" });

const hostPortPattern = /^(\[[0-9A-Fa-f:.]+\]|[^\s:/[\]]+):(\d{1,5})$/;
const address = z
  .string({ error: 'expected an address "host:port"' })
  .refine((value) => hostPortPattern.test(value) && Number(value.slice(value.lastIndexOf(":") + 1)) <= 65535, {
    error: 'expected an address "host:port"',
  });

const version = z
  .string({ error: 'expected a semver version such as "1.2.0"' })
  .refine((value) => semver.valid(value) !== null, { error: 'expected a semver version such as "1.2.0"' });

const versionRange = z
  .string({ error: 'expected a semver range such as ">=1.0 <2"' })
  .refine((value) => semver.validRange(value) !== null, { error: 'expected a semver range such as ">=1.0 <2"' });

const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `expected one of ${values.map((v) => `"${v}"`).join(", ")}` });

const policy = oneOf(["failfast", "failtry", "failover", "failsafe", "forking"] as const);
const balancer = oneOf(BALANCER_NAMES as unknown as readonly [string, ...string[]]) as z.ZodType<
  (typeof BALANCER_NAMES)[number]
>;
const codec = oneOf(["binary", "json"] as const);
/** What a client speaks to a service's providers: rpcgen's own protocol, gRPC or Apache Thrift (existing servers). */
const clientProtocol = oneOf(["rpcgen", "grpc", "thrift"] as const);
const code = oneOf(Object.values(Code) as unknown as readonly [Code, ...Code[]]);
const metadata = z.record(z.string(), z.string({ error: "expected a string" }), { error: "expected a map of strings" });

/** Per-method overrides under `client.services.<Service>.methods.<method>`. */
export const methodSettingsSchema = z.strictObject({
  policy: policy.optional(),
  retries: wholeNumber(0).optional(),
  idempotent: flag.optional(),
  timeoutMs: wholeNumber(1).optional(),
  forks: wholeNumber(1).optional(),
});

export const breakerSettingsSchema = z.strictObject({
  maxErrorCount: wholeNumber(1).optional(),
  errorRatio: fraction("a ratio").optional(),
  minCalls: wholeNumber(1).optional(),
  windowMs: wholeNumber(1).optional(),
  probeIntervalMs: wholeNumber(1).optional(),
  failureCodes: z.array(code, { error: "expected a list of error codes" }).optional(),
});

/** Client settings of one service (also the shape of `client.defaults`). */
export const serviceClientSchema = z.strictObject({
  versionRange: versionRange.optional(),
  /** TLS to the providers (docs/SECURITY.md). */
  tls: clientTlsSchema.optional(),
  /** Sent to the providers as a bearer token: `{ env: NAME }` or `{ file: PATH }`. */
  token: secretSchema.optional(),
  protocol: clientProtocol.optional(),
  /** With protocol thrift: TFramedTransport, the unframed TBufferedTransport or THeader (which carries the token and trace context), TBinaryProtocol or TCompactProtocol, TMultiplexedProtocol names. */
  transport: oneOf(["framed", "buffered", "header"] as const).optional(),
  thriftProtocol: oneOf(["binary", "compact"] as const).optional(),
  multiplexed: flag.optional(),
  codec: codec.optional(),
  balancer: balancer.optional(),
  policy: policy.optional(),
  retries: wholeNumber(0).optional(),
  idempotent: flag.optional(),
  timeoutMs: wholeNumber(1).optional(),
  attemptTimeoutMs: wholeNumber(1).optional(),
  connectTimeoutMs: wholeNumber(1).optional(),
  poolSize: wholeNumber(1).optional(),
  forks: wholeNumber(1).optional(),
  breaker: breakerSettingsSchema.optional(),
  bulkhead: z
    .strictObject({ maxConcurrent: wholeNumber(1).optional(), maxQueue: wholeNumber(0).optional() })
    .optional(),
  retryBudget: z.strictObject({ ratio: fraction("a ratio").optional(), burst: wholeNumber(0).optional() }).optional(),
  backoff: z.strictObject({ baseMs: wholeNumber(0).optional(), maxMs: wholeNumber(0).optional() }).optional(),
  methods: z
    .record(z.string(), methodSettingsSchema, { error: "expected a map of method names to settings" })
    .optional(),
});

const providerSchema = z.strictObject({
  service: text("a service name"),
  version,
  address,
  weight: wholeNumber(0).optional(),
  metadata: metadata.optional(),
});

export const registrySchema = z
  .strictObject({
    protocol: oneOf(["direct", "etcd", "zookeeper"] as const).default("direct"),
    endpoints: z
      .array(text("an etcd endpoint such as http://127.0.0.1:2379 or a ZooKeeper server such as 127.0.0.1:2181"), {
        error: "expected a list of etcd endpoints or ZooKeeper servers",
      })
      .optional(),
    ttlSeconds: wholeNumber(1).optional(),
    prefix: text("a key prefix such as /rpcgen").optional(),
    requestTimeoutMs: wholeNumber(1).optional(),
    sessionTimeoutMs: wholeNumber(1).optional(),
    connectTimeoutMs: wholeNumber(1).optional(),
    providers: z.array(providerSchema, { error: "expected a list of providers" }).optional(),
    /** etcd over https: its CA, and a client certificate for --client-cert-auth. */
    tls: registryTlsSchema.optional(),
    /** etcd's user/password authentication; the password from the environment or a file. */
    auth: registryAuthSchema.optional(),
  })
  .superRefine((registry, context) => {
    const problem = (key: keyof typeof registry, message: string): void =>
      context.addIssue({ code: "custom", path: [key], input: registry[key], message });
    const { protocol } = registry;
    if (protocol !== "direct" && (registry.endpoints === undefined || registry.endpoints.length === 0)) {
      const what = protocol === "etcd" ? "etcd endpoint" : "ZooKeeper server";
      problem("endpoints", `expected at least one ${what} when protocol is ${protocol}`);
    }
    if (protocol === "direct" && registry.endpoints !== undefined) {
      problem("endpoints", "expected no endpoints when protocol is direct (they are for etcd and zookeeper)");
    }
    if (protocol === "zookeeper") {
      registry.endpoints?.forEach((endpoint, index) => {
        if (!address.safeParse(endpoint).success) {
          context.addIssue({
            code: "custom",
            path: ["endpoints", index],
            input: endpoint,
            message: 'expected a ZooKeeper server "host:port"',
          });
        }
      });
    }
    // Options of one registry given to another are mistakes, not settings to ignore.
    for (const key of ["ttlSeconds", "requestTimeoutMs", "tls", "auth"] as const) {
      if (protocol !== "etcd" && registry[key] !== undefined) problem(key, "expected only with protocol etcd");
    }
    for (const key of ["sessionTimeoutMs", "connectTimeoutMs"] as const) {
      if (protocol !== "zookeeper" && registry[key] !== undefined) problem(key, "expected only with protocol zookeeper");
    }
  });

const origin = z
  .string({ error: "expected an origin such as https://app.example.com" })
  .refine((value) => canonicalOrigin(value) !== undefined, { error: "expected an origin such as https://app.example.com (scheme, host, port; no path)" });

const headerName = z.string({ error: "expected a header name" }).refine(isHeaderName, { error: "expected a header name" });

/** Cross-origin browser calls over gRPC-Web and Connect (docs/PROTOCOL.md#cors); without it no CORS header is sent. */
export const corsSchema = z
  .strictObject({
    allowedOrigins: z.union([z.literal("*"), z.array(origin).min(1, { error: "expected at least one origin" })], {
      error: 'expected "*" or a list of origins such as https://app.example.com',
    }),
    allowedHeaders: z.array(headerName, { error: "expected a list of header names" }).optional(),
    exposedHeaders: z.array(headerName, { error: "expected a list of header names" }).optional(),
    allowCredentials: flag.optional(),
    maxAgeSeconds: wholeNumber(0).optional(),
  })
  .superRefine((cors, context) => {
    // A browser refuses `*` with credentials; echoing every origin instead would let any site act as the user.
    if (cors.allowedOrigins === "*" && cors.allowCredentials === true) {
      context.addIssue({ code: "custom", path: ["allowCredentials"], input: cors.allowCredentials, message: 'expected false or no allowCredentials when allowedOrigins is "*" (list the origins instead)' });
    }
  });

export const serverSchema = z.strictObject({
  address,
  /** The address clients should use, when it differs from the listening one (e.g. 0.0.0.0). */
  advertiseAddress: address.optional(),
  services: z
    .array(
      z.strictObject({
        name: text("a service name"),
        version,
        weight: wholeNumber(0).optional(),
        metadata: metadata.optional(),
      }),
      { error: "expected a list of services" },
    )
    .min(1, { error: "expected at least one service" }),
  codec: codec.optional(),
  workers: wholeNumber(1).optional(),
  shutdownGraceMs: wholeNumber(0).optional(),
  /** TLS on the port (docs/SECURITY.md). */
  tls: serverTlsSchema.optional(),
  /** Tokens callers must present. */
  auth: serverAuthSchema.optional(),
  cors: corsSchema.optional(),
  limits: z
    .strictObject({
      maxConnections: wholeNumber(1).optional(),
      maxFrameBytes: wholeNumber(1).optional(),
      compressThresholdBytes: wholeNumber(0).optional(),
      maxInFlightPerConnection: wholeNumber(1).optional(),
      idleTimeoutMs: wholeNumber(0).optional(),
      maxPendingBytes: wholeNumber(1).optional(),
    })
    .optional(),
});

export const clientSchema = z.strictObject({
  /** Settings every service starts from; per-method settings belong to a service, so none here. */
  defaults: serviceClientSchema.omit({ methods: true }).optional(),
  services: z
    .record(z.string(), serviceClientSchema, { error: "expected a map of service names to settings" })
    .optional(),
});

/** The whole file. Only `application.name` is required. */
export const configSchema = z.strictObject({
  application: z.strictObject({ name: text("an application name") }),
  registry: registrySchema.default({ protocol: "direct" }),
  server: serverSchema.optional(),
  client: clientSchema.optional(),
});

/** A validated configuration (defaults applied). */
export type RpcgenConfig = z.output<typeof configSchema>;
/** A configuration as written in code, before validation. */
export type RpcgenConfigInput = z.input<typeof configSchema>;
export type ServiceClientConfig = z.output<typeof serviceClientSchema>;
export type MethodConfig = z.output<typeof methodSettingsSchema>;
export type RegistryConfig = z.output<typeof registrySchema>;
export type ServerConfig = z.output<typeof serverSchema>;
