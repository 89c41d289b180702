import { readFileSync } from "node:fs";
import { connect as connectTcp, type Socket } from "node:net";
import { checkServerIdentity, connect as connectTls, createSecureContext, type SecureContext } from "node:tls";
import type { PemInput } from "./server-tls-options.js";

/**
 * TLS for a client (Channel, RespChannel, the cluster invoker's channels, the
 * YAML `client.*.tls`). `true` means TLS with the system's trusted CAs.
 */
export interface ClientTlsOptions {
  /** CA bundle (PEM) the server's certificate must chain to. Default: Node's trusted CAs. */
  ca?: PemInput | readonly PemInput[];
  caFile?: string;
  /** Client certificate and key, for servers that require mutual TLS. */
  cert?: PemInput;
  certFile?: string;
  key?: PemInput;
  keyFile?: string;
  passphrase?: string;
  /**
   * The name the server's certificate must carry (and the SNI sent). Default: the
   * host of the address (an IP address then needs an IP SAN in the certificate).
   */
  servername?: string;
  /** "TLSv1.2" (default) or "TLSv1.3". */
  minVersion?: "TLSv1.2" | "TLSv1.3";
  /**
   * Cluster invoker only: with "always" (the default) every provider is called
   * over TLS, so a registry entry cannot downgrade a client; with "advertised"
   * only providers whose registry metadata says `tls: "true"` are (a migration aid).
   */
  providers?: "always" | "advertised";
}

/** Client TLS resolved once (files read, context built) and shared by every connection that uses it. */
export interface ResolvedClientTls {
  readonly secureContext: SecureContext;
  readonly servername: string | undefined;
  readonly minVersion: "TLSv1.2" | "TLSv1.3";
}

const known = new Set(["ca", "caFile", "cert", "certFile", "key", "keyFile", "passphrase", "servername", "minVersion", "providers"]);

/** Each options object is resolved once (files read once), however many channels use it. */
const resolved = new WeakMap<object, ResolvedClientTls>();
let systemDefault: ResolvedClientTls | undefined;

/** Reads the files and builds the secure context; throws a TypeError naming a bad option or unreadable file. */
export function resolveClientTls(options: ClientTlsOptions | true): ResolvedClientTls {
  if (options === true) return (systemDefault ??= build({}));
  let result = resolved.get(options);
  if (result === undefined) {
    result = build(options);
    resolved.set(options, result);
  }
  return result;
}

function build(options: ClientTlsOptions): ResolvedClientTls {
  const spec: ClientTlsOptions = options;
  const fail = (message: string): never => {
    throw new TypeError(`client tls: ${message}`);
  };
  if (typeof spec !== "object" || spec === null) fail("expected an object or true");
  for (const key of Object.keys(spec)) if (!known.has(key)) fail(`unknown option "${key}"`);
  if (spec.ca !== undefined && spec.caFile !== undefined) fail("give at most one of ca and caFile");
  if (spec.cert !== undefined && spec.certFile !== undefined) fail("give at most one of cert and certFile");
  if (spec.key !== undefined && spec.keyFile !== undefined) fail("give at most one of key and keyFile");
  const cert = spec.certFile !== undefined ? read(spec.certFile, "certFile") : spec.cert;
  const key = spec.keyFile !== undefined ? read(spec.keyFile, "keyFile") : spec.key;
  if ((cert === undefined) !== (key === undefined)) fail("a client certificate needs its key, and a key its certificate");
  const ca = spec.caFile !== undefined ? read(spec.caFile, "caFile") : spec.ca;
  const minVersion = spec.minVersion ?? "TLSv1.2";
  if (minVersion !== "TLSv1.2" && minVersion !== "TLSv1.3") fail(`minVersion must be "TLSv1.2" or "TLSv1.3"`);
  const secureContext = createSecureContext({
    ...(ca === undefined ? {} : { ca: ca as string | Buffer | (string | Buffer)[] }),
    ...(cert === undefined ? {} : { cert, key: key! }),
    ...(spec.passphrase === undefined ? {} : { passphrase: spec.passphrase }),
    minVersion,
  });
  return { secureContext, servername: spec.servername, minVersion };
}

function read(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new TypeError(`client tls.${what}: cannot read ${path}${code === undefined ? "" : ` (${code})`}`);
  }
}

/**
 * Opens a client connection: plain TCP, or TLS with `tls` (ALPN `alpn` offered,
 * the server's certificate checked against the CA and the server name). For
 * TLS, wait for "secureConnect" rather than "connect".
 */
export function openClientSocket(host: string, port: number, tls: ResolvedClientTls | undefined, alpn: string): Socket {
  if (tls === undefined) return connectTcp({ host, port, noDelay: true });
  const servername = tls.servername ?? host;
  const socket = connectTls({
    host,
    port,
    secureContext: tls.secureContext,
    minVersion: tls.minVersion,
    ALPNProtocols: [alpn],
    // SNI takes a DNS name only; the certificate check below still uses the name.
    ...(isIpAddress(servername) ? {} : { servername }),
    checkServerIdentity: (_host, certificate) => checkServerIdentity(servername, certificate),
    rejectUnauthorized: true,
  });
  socket.setNoDelay(true);
  return socket;
}

/** The event a socket from openClientSocket emits once it can carry calls. */
export function readyEvent(tls: ResolvedClientTls | undefined): "connect" | "secureConnect" {
  return tls === undefined ? "connect" : "secureConnect";
}

function isIpAddress(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(":");
}
