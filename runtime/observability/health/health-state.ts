/** A server's readiness as the gRPC health protocol names it. */
export type ServingStatus = "SERVING" | "NOT_SERVING";

/** Told after a status may have changed; reads the statuses it cares about again. */
export type HealthListener = () => void;

/**
 * Whether the server wants calls: SERVING once it listens, NOT_SERVING while the
 * application says it is not ready (`setServing(false)`) and from the start of
 * graceful shutdown (`Server.close`) on. Per-service statuses may be set too
 * (gRPC health's `service` field); a service without one follows the server's.
 * Read by `GET /health`, `grpc.health.v1.Health/Check` and RESP's `RPC.HEALTH`;
 * `grpc.health.v1.Health/Watch` listens (`onChange`), so a change reaches
 * watchers when it happens.
 */
export class HealthState {
  private ready = true;
  private shuttingDown = false;
  private stopping = false;
  private readonly services = new Map<string, boolean>();
  private readonly listeners = new Set<HealthListener>();

  /**
   * `canonical` gives the IDL name of a service named any way a caller may name
   * it (IDL name, qualified name, proto name), or undefined if it is not served.
   */
  constructor(private readonly canonical: (service: string) => string | undefined = (service) => service) {}

  /** The status of the whole server, or of one service by its name (or qualified/proto name). */
  status(service = ""): ServingStatus {
    if (this.shuttingDown || !this.ready) return "NOT_SERVING";
    if (service === "") return "SERVING";
    return this.services.get(this.canonical(service) ?? service) === false ? "NOT_SERVING" : "SERVING";
  }

  /** True when the status is SERVING. */
  get serving(): boolean {
    return !this.shuttingDown && this.ready;
  }

  /** True once graceful shutdown has begun. */
  get draining(): boolean {
    return this.shuttingDown;
  }

  /** True once the server has stopped taking calls and drains its connections (after any drain delay). */
  get closing(): boolean {
    return this.stopping;
  }

  /**
   * The application's readiness: `setServing(false)` while warming up or when a
   * dependency is down, `setServing(true)` when ready again. With `service`,
   * only that service's status changes.
   */
  setServing(serving: boolean, service?: string): void {
    if (service === undefined || service === "") this.ready = serving;
    else this.services.set(this.canonical(service) ?? service, serving);
    this.changed();
  }

  /** Called at the start of graceful shutdown; never undone. */
  markShuttingDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    this.changed();
  }

  /**
   * Called when the server stops taking calls and drains its connections (the
   * end of any drain delay); never undone. Listeners that hold calls open
   * (health watches) end them, so they do not hold the drain back.
   */
  markClosing(): void {
    if (this.stopping) return;
    this.shuttingDown = true;
    this.stopping = true;
    this.changed();
  }

  /**
   * Calls `listener` after every change of readiness and at each step of
   * shutdown, synchronously; returns the function that stops it. A listener
   * may be told of a change that leaves the status it reads as it was.
   */
  onChange(listener: HealthListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Listeners subscribed now (each server's health watches share one). */
  get listenerCount(): number {
    return this.listeners.size;
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }
}
