import type { EtcdRegistryOptions } from "../registry/etcd-registry.js";
import type { ClientTlsOptions } from "../security/client-tls.js";
import { staticTokenAuthenticator } from "../security/static-token-authenticator.js";
import type { ServerOptions } from "../server/server-options.js";
import type { RegistryConfig, RpcgenConfig, ServerConfig } from "./config-schema.js";
import { readSecret } from "./secrets.js";

/** The etcd registry's `tls` and `auth` options from `registry.tls` / `registry.auth` (the password read now). */
export function registrySecurity(registry: RegistryConfig): Pick<EtcdRegistryOptions, "tls" | "auth"> {
  return {
    ...(registry.tls === undefined ? {} : { tls: { ...registry.tls } }),
    ...(registry.auth === undefined
      ? {}
      : { auth: { username: registry.auth.username, password: readSecret(registry.auth.password, "registry.auth.password") } }),
  };
}

/** The server's `tls` and `auth` options from `server.tls` / `server.auth` (tokens read now). */
export function serverSecurity(server: ServerConfig): Pick<ServerOptions, "tls" | "auth"> {
  const auth = server.auth;
  return {
    ...(server.tls === undefined ? {} : { tls: { ...server.tls } }),
    ...(auth === undefined
      ? {}
      : {
          auth: {
            authenticate: staticTokenAuthenticator(
              auth.tokens.map((entry, index) => ({
                id: entry.id,
                token: readSecret(entry.token, `server.auth.tokens[${index}].token`),
                ...(entry.roles === undefined ? {} : { roles: entry.roles }),
                ...(entry.user === undefined ? {} : { user: entry.user }),
              })),
            ),
            ...(auth.timeoutMs === undefined ? {} : { timeoutMs: auth.timeoutMs }),
            ...(auth.maxUnauthenticatedRequestBytes === undefined ? {} : { maxUnauthenticatedRequestBytes: auth.maxUnauthenticatedRequestBytes }),
            ...(auth.maxFailures === undefined ? {} : { maxFailures: auth.maxFailures }),
            ...(auth.failureWindowMs === undefined ? {} : { failureWindowMs: auth.failureWindowMs }),
          },
        }),
  };
}

/** A client's TLS and token for `service` (its own settings, else `client.defaults`); the token read now. */
export function clientSecurity(config: RpcgenConfig, serviceName: string): { tls?: ClientTlsOptions; token?: string } {
  const own = config.client?.services?.[serviceName];
  const defaults = config.client?.defaults;
  const tls = own?.tls ?? defaults?.tls;
  const tokenSource = own?.token ?? defaults?.token;
  const tokenPath = own?.token !== undefined ? `client.services.${serviceName}.token` : "client.defaults.token";
  return {
    ...(tls === undefined ? {} : { tls: { ...tls } }),
    ...(tokenSource === undefined ? {} : { token: readSecret(tokenSource, tokenPath) }),
  };
}
