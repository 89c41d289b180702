import { z } from "zod";

/*
 * The security parts of a configuration file: TLS files, tokens and passwords.
 * A secret is never written in the file itself: it is named, as an environment
 * variable or a file, and read when the registry, server or client is created.
 * Paths are relative to the working directory.
 */

const text = (what: string) => z.string({ error: `expected ${what}` }).min(1, { error: `expected ${what}` });
const wholeNumber = (min: number) => {
  const message = `expected a whole number ≥ ${min}`;
  return z.number({ error: message }).int({ error: message }).min(min, { error: message });
};

/** `{ env: NAME }` or `{ file: PATH }` (trailing newlines of the file are dropped). */
export const secretSchema = z.union([z.strictObject({ env: text("an environment variable name") }), z.strictObject({ file: text("a file path") })], {
  error: "expected { env: NAME } or { file: PATH } (a secret is never written in the configuration itself)",
});

/** TLS of a client: a server's CA, a client certificate for mutual TLS. */
export const clientTlsSchema = z.strictObject({
  caFile: text("a PEM file path").optional(),
  certFile: text("a PEM file path").optional(),
  keyFile: text("a PEM file path").optional(),
  servername: text("a host name").optional(),
  minVersion: z.enum(["TLSv1.2", "TLSv1.3"], { error: 'expected "TLSv1.2" or "TLSv1.3"' }).optional(),
  /** Cluster clients: "always" (default) or "advertised" (only providers whose registry entry says tls: "true"). */
  providers: z.enum(["always", "advertised"], { error: 'expected "always" or "advertised"' }).optional(),
});

/** TLS of the server port. */
export const serverTlsSchema = z.strictObject({
  certFile: text("a PEM file path"),
  keyFile: text("a PEM file path"),
  /** A CA bundle: clients then need a certificate it signed (mutual TLS). */
  caFile: text("a PEM file path").optional(),
  allowPlaintext: z.boolean({ error: "expected true or false" }).optional(),
  minVersion: z.enum(["TLSv1.2", "TLSv1.3"], { error: 'expected "TLSv1.2" or "TLSv1.3"' }).optional(),
});

/** Static tokens a server accepts. */
export const serverAuthSchema = z.strictObject({
  tokens: z
    .array(
      z.strictObject({
        id: text("a principal id"),
        token: secretSchema,
        roles: z.array(text("a role"), { error: "expected a list of roles" }).optional(),
        /** The user name of RESP's `AUTH <user> <token>`. */
        user: text("a user name").optional(),
      }),
      { error: "expected a list of tokens" },
    )
    .min(1, { error: "expected at least one token" }),
  timeoutMs: wholeNumber(1).optional(),
  maxUnauthenticatedRequestBytes: wholeNumber(1).optional(),
  maxFailures: wholeNumber(1).optional(),
  failureWindowMs: wholeNumber(1).optional(),
});

/** TLS and user/password of an etcd registry. */
export const registryTlsSchema = z.strictObject({
  caFile: text("a PEM file path").optional(),
  certFile: text("a PEM file path").optional(),
  keyFile: text("a PEM file path").optional(),
});

export const registryAuthSchema = z.strictObject({
  username: text("a user name"),
  password: secretSchema,
});

export type SecretSource = z.output<typeof secretSchema>;
export type ClientTlsConfig = z.output<typeof clientTlsSchema>;
export type ServerTlsConfig = z.output<typeof serverTlsSchema>;
export type ServerAuthConfig = z.output<typeof serverAuthSchema>;
export type RegistryAuthConfig = z.output<typeof registryAuthSchema>;
