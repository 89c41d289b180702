import cluster from "node:cluster";
import { createHash, X509Certificate } from "node:crypto";
import { unwatchFile, watchFile, type Stats } from "node:fs";
import { createSecureContext, type SecureContextOptions } from "node:tls";
import type { Logger } from "../logger.js";
import { checkServerTlsOptions, readTlsMaterial, usesFiles, type ServerTlsOptions, type TlsMaterial } from "./server-tls-options.js";

/**
 * The server's current TLS certificate material. A reload reads the files (or
 * takes new options), checks that they make a secure context, and hands it to
 * the TLS server: handshakes from then on use
 * it, connections already open keep theirs, so no call in flight notices. A
 * reload that fails (a missing file, a key that does not match) is logged and
 * the previous context stays.
 */
export class CertificateStore {
  private context: SecureContextOptions;
  private fingerprint: string;
  private readonly listeners: ((context: SecureContextOptions) => void)[] = [];
  private options: ServerTlsOptions;
  private watched: string[] = [];
  private readonly onSignal = (): void => void this.reload();
  private onSignalHandler: () => void = this.onSignal;
  private signal: NodeJS.Signals | undefined;

  constructor(
    options: ServerTlsOptions,
    private readonly logger: Logger,
  ) {
    checkServerTlsOptions(options);
    this.options = options;
    const material = readTlsMaterial(options);
    this.context = buildContext(options, material);
    this.fingerprint = fingerprintOf(material.cert);
  }

  /** The options of the context new handshakes use (already checked: they build a context). */
  get current(): SecureContextOptions {
    return this.context;
  }

  /** Calls `listener` with the new context options after each successful reload. */
  onReload(listener: (context: SecureContextOptions) => void): void {
    this.listeners.push(listener);
  }

  /** SHA-256 fingerprint of the server certificate in use (`AB:CD:...`). */
  get certificateFingerprint(): string {
    return this.fingerprint;
  }

  /**
   * Re-reads the material (the files, or `options` when given: they replace the
   * current ones) and swaps the context. Returns true if it changed; a failure
   * is logged and thrown only when `options` were given.
   */
  reload(options?: ServerTlsOptions): boolean {
    try {
      const next = options ?? this.options;
      if (options !== undefined) checkServerTlsOptions(options);
      const material = readTlsMaterial(next);
      const context = buildContext(next, material);
      const fingerprint = fingerprintOf(material.cert);
      const changed = fingerprint !== this.fingerprint || options !== undefined;
      this.context = context;
      this.options = next;
      for (const listener of this.listeners) listener(context);
      if (fingerprint !== this.fingerprint) {
        this.logger.info({ fingerprint256: fingerprint, previous: this.fingerprint }, "TLS certificate reloaded");
      }
      this.fingerprint = fingerprint;
      return changed;
    } catch (error) {
      this.logger.error({ err: error instanceof Error ? error.message : String(error) }, "TLS reload failed; the previous certificate stays in use");
      if (options !== undefined) throw error;
      return false;
    }
  }

  /** Starts watching the files and listening for the reload signal, as the options say. */
  start(): void {
    if (!usesFiles(this.options)) return;
    const watch = this.options.watch ?? true;
    if (watch !== false) {
      const interval = typeof watch === "object" ? watch.intervalMs : 1000;
      const files = [this.options.certFile, this.options.keyFile, this.options.caFile].filter((f): f is string => f !== undefined);
      for (const file of files) {
        watchFile(file, { interval, persistent: false }, this.onFileChange);
        this.watched.push(file);
      }
    }
    const signal = this.options.reloadSignal ?? "SIGHUP";
    if (signal !== false) {
      this.signal = signal;
      this.onSignalHandler = this.onSignal;
      process.on(signal, this.onSignal);
    }
  }

  /**
   * In a node:cluster primary, which serves nothing itself: the reload signal
   * (SIGHUP) goes on to every worker, so `kill -HUP <primary>` reloads them all
   * instead of ending the primary.
   */
  forwardSignalToWorkers(): void {
    const signal = usesFiles(this.options) ? (this.options.reloadSignal ?? "SIGHUP") : false;
    if (signal === false) return;
    this.signal = signal;
    this.onSignalHandler = () => {
      for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
    };
    process.on(signal, this.onSignalHandler);
  }

  stop(): void {
    for (const file of this.watched) unwatchFile(file, this.onFileChange);
    this.watched = [];
    if (this.signal !== undefined) process.off(this.signal, this.onSignalHandler);
    this.signal = undefined;
  }

  private readonly onFileChange = (current: Stats, previous: Stats): void => {
    if (current.mtimeMs === previous.mtimeMs && current.size === previous.size && current.ino === previous.ino) return;
    // A certificate and its key are often written one after the other: wait for both.
    setTimeout(() => this.reload(), 100).unref();
  };
}

/** The secure-context options of `material`; throws (as a reload failure) if they do not make a context. */
function buildContext(options: ServerTlsOptions, material: TlsMaterial): SecureContextOptions {
  const context: SecureContextOptions = {
    cert: material.cert,
    key: material.key,
    ...(material.ca === undefined ? {} : { ca: material.ca }),
    ...(options.passphrase === undefined ? {} : { passphrase: options.passphrase }),
    ...(options.ciphers === undefined ? {} : { ciphers: options.ciphers }),
    minVersion: options.minVersion ?? "TLSv1.2",
  };
  // A key that does not match the certificate, or unreadable PEM, fails here rather than at a handshake.
  createSecureContext(context);
  return context;
}

function fingerprintOf(certPem: Buffer): string {
  try {
    return new X509Certificate(certPem).fingerprint256;
  } catch {
    return createHash("sha256").update(certPem).digest("hex");
  }
}
