/**
 * The security flags of the example servers (the calculator, the cluster's
 * inventory provider); docs/SECURITY.md. Each is optional:
 *   --tls-cert S.crt --tls-key S.key   TLS on the port (reloaded when the files change, and on SIGHUP)
 *   --tls-ca CA.crt                    mutual TLS: clients need a certificate signed by this CA
 *   --allow-plaintext                  also accept plaintext connections (a migration aid)
 *   --auth-token TOKEN                 callers must present this token (repeat the flag for several);
 *                                      RPCGEN_AUTH_TOKEN in the environment works too, and stays out of `ps`
 */
import { staticTokenAuthenticator, type ServerOptions } from "@rpcgen/runtime";

/** The flags, for node:util parseArgs. */
export const securityFlags = {
  "tls-cert": { type: "string" },
  "tls-key": { type: "string" },
  "tls-ca": { type: "string" },
  "allow-plaintext": { type: "boolean", default: false },
  "auth-token": { type: "string", multiple: true },
} as const;

export interface SecurityFlagValues {
  "tls-cert"?: string;
  "tls-key"?: string;
  "tls-ca"?: string;
  "allow-plaintext"?: boolean;
  "auth-token"?: string[];
}

/** The Server options the flags ask for; exits with code 2 on flags that do not go together. */
export function securityOptions(values: SecurityFlagValues, program: string, env: NodeJS.ProcessEnv = process.env): Pick<ServerOptions, "tls" | "auth"> {
  const fail = (message: string): never => {
    console.error(`${program}: ${message}`);
    process.exit(2);
  };
  const certFile = values["tls-cert"];
  const keyFile = values["tls-key"];
  if ((certFile === undefined) !== (keyFile === undefined)) fail("--tls-cert and --tls-key go together");
  if (certFile === undefined && (values["tls-ca"] !== undefined || values["allow-plaintext"] === true)) {
    fail("--tls-ca and --allow-plaintext need --tls-cert and --tls-key");
  }
  const tokens = [...(values["auth-token"] ?? []), ...(env["RPCGEN_AUTH_TOKEN"] ? [env["RPCGEN_AUTH_TOKEN"]] : [])];
  return {
    ...(certFile === undefined
      ? {}
      : {
          tls: {
            certFile,
            keyFile: keyFile!,
            ...(values["tls-ca"] === undefined ? {} : { caFile: values["tls-ca"] }),
            allowPlaintext: values["allow-plaintext"] === true,
          },
        }),
    ...(tokens.length === 0 ? {} : { auth: { authenticate: staticTokenAuthenticator(tokens) } }),
  };
}

/**
 * Says so on stderr when a server is about to listen beyond loopback without TLS
 * or without a token: anyone who reaches the port could read the calls or make them.
 */
export function warnIfExposed(host: string, options: Pick<ServerOptions, "tls" | "auth">, program: string): void {
  const loopback = host === "localhost" || host === "::1" || host.startsWith("127.");
  if (loopback || (options.tls !== undefined && options.auth !== undefined)) return;
  const missing = [options.tls === undefined ? "--tls-cert/--tls-key" : "", options.auth === undefined ? "--auth-token" : ""].filter((m) => m !== "");
  console.error(`${program}: warning: listening on ${host} without ${missing.join(" and ")}; see docs/SECURITY.md`);
}
