/** What `installShutdownSignals` needs from a server. */
export interface Closable {
  close(options?: { graceMs?: number }): Promise<void>;
}

/** Options of installShutdownSignals. */
export interface ShutdownSignalOptions {
  /** Passed to `server.close`. Default 10000. */
  graceMs?: number;
  /** Default ["SIGTERM", "SIGINT"]. */
  signals?: NodeJS.Signals[];
  /** Called after the close; the default exits the process with code 0. */
  onClosed?: () => void;
}

/**
 * Closes `server` gracefully on SIGTERM or SIGINT, then exits. A second signal
 * while closing exits at once with code 1, for the impatient operator.
 * Returns a function that removes the handlers.
 */
export function installShutdownSignals(server: Closable, options: ShutdownSignalOptions = {}): () => void {
  const signals = options.signals ?? ["SIGTERM", "SIGINT"];
  const onClosed = options.onClosed ?? (() => process.exit(0));
  let closing = false;
  const handler = (): void => {
    if (closing) {
      process.exit(1);
    }
    closing = true;
    server.close({ graceMs: options.graceMs ?? 10_000 }).then(onClosed, (error: unknown) => {
      process.stderr.write(
        `shutdown failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    });
  };
  for (const signal of signals) process.on(signal, handler);
  return () => {
    for (const signal of signals) process.off(signal, handler);
  };
}
