import { readFileSync } from "node:fs";

/** PEM text (or bytes) given directly, or read from a file. */
export type PemInput = string | Buffer;

/**
 * TLS on the server port. The certificate and key come from files (then they are
 * reloaded when the files change and on SIGHUP) or are given as PEM. With a CA
 * bundle the server asks for client certificates and refuses, at the handshake,
 * a client without a valid one (mutual TLS).
 */
export interface ServerTlsOptions {
  /** PEM certificate chain file (server certificate first). */
  certFile?: string;
  /** PEM private key file. */
  keyFile?: string;
  /** PEM CA bundle that client certificates must chain to: turns on mutual TLS. */
  caFile?: string;
  /** The certificate chain as PEM, instead of certFile (not reloadable from disk; see Server.reloadTls). */
  cert?: PemInput;
  key?: PemInput;
  ca?: PemInput;
  /** Passphrase of an encrypted key. */
  passphrase?: string;
  /**
   * Require a client certificate signed by the CA bundle (default: true when a CA
   * is given). False with a CA: a certificate is asked for and checked if sent,
   * but a client may connect without one.
   */
  requireClientCertificate?: boolean;
  /**
   * Also accept plaintext connections on the same port (told apart by their first
   * byte). A migration aid for moving clients to TLS one by one; default false:
   * a plaintext connection is closed unanswered.
   */
  allowPlaintext?: boolean;
  /** Lowest TLS version accepted: "TLSv1.2" (default) or "TLSv1.3". Older versions are never accepted. */
  minVersion?: "TLSv1.2" | "TLSv1.3";
  /** OpenSSL cipher list for TLS 1.2 (TLS 1.3 suites are OpenSSL's defaults). Default: Node's. */
  ciphers?: string;
  /**
   * Re-read certFile/keyFile/caFile when they change: polled every `intervalMs`
   * (default 1000). Default on when the material comes from files.
   */
  watch?: boolean | { intervalMs: number };
  /** Re-read the files on this signal. Default "SIGHUP" when the material comes from files; false for none. */
  reloadSignal?: NodeJS.Signals | false;
}

/** The certificate material, read. */
export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
  ca: Buffer | undefined;
}

/** Checks the options; throws a TypeError naming what is wrong. */
export function checkServerTlsOptions(options: ServerTlsOptions): void {
  const fail = (message: string): never => {
    throw new TypeError(`server option tls: ${message}`);
  };
  if (typeof options !== "object" || options === null) fail("expected an object");
  const known = new Set([
    "certFile", "keyFile", "caFile", "cert", "key", "ca", "passphrase", "requireClientCertificate",
    "allowPlaintext", "minVersion", "ciphers", "watch", "reloadSignal",
  ]);
  for (const key of Object.keys(options)) if (!known.has(key)) fail(`unknown option "${key}"`);
  if ((options.cert === undefined) === (options.certFile === undefined)) fail("give exactly one of cert and certFile");
  if ((options.key === undefined) === (options.keyFile === undefined)) fail("give exactly one of key and keyFile");
  if (options.ca !== undefined && options.caFile !== undefined) fail("give at most one of ca and caFile");
  if (options.minVersion !== undefined && options.minVersion !== "TLSv1.2" && options.minVersion !== "TLSv1.3") {
    fail(`minVersion must be "TLSv1.2" or "TLSv1.3", got ${JSON.stringify(options.minVersion)}`);
  }
  if (options.requireClientCertificate === true && options.ca === undefined && options.caFile === undefined) {
    fail("requireClientCertificate needs a CA bundle (ca or caFile) to check client certificates against");
  }
}

/** True when some of the material comes from files, which can then be reloaded. */
export function usesFiles(options: ServerTlsOptions): boolean {
  return options.certFile !== undefined || options.keyFile !== undefined || options.caFile !== undefined;
}

/** True when the server asks clients for certificates. */
export function hasClientCa(options: ServerTlsOptions): boolean {
  return options.ca !== undefined || options.caFile !== undefined;
}

/** Reads the material, files included (synchronously: at start-up and on reload only). */
export function readTlsMaterial(options: ServerTlsOptions): TlsMaterial {
  const ca = options.caFile !== undefined ? readPem(options.caFile, "caFile") : toBuffer(options.ca);
  return {
    cert: options.certFile !== undefined ? readPem(options.certFile, "certFile") : toBuffer(options.cert)!,
    key: options.keyFile !== undefined ? readPem(options.keyFile, "keyFile") : toBuffer(options.key)!,
    ca,
  };
}

function readPem(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new TypeError(`server option tls.${what}: cannot read ${path}${code === undefined ? "" : ` (${code})`}`);
  }
}

function toBuffer(pem: PemInput | undefined): Buffer | undefined {
  if (pem === undefined) return undefined;
  return typeof pem === "string" ? Buffer.from(pem) : pem;
}
