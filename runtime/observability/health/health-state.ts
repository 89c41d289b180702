/** A server's readiness as the gRPC health protocol names it. */
export type ServingStatus = "SERVING" | "NOT_SERVING";

/**
 * Whether the server wants calls: SERVING once it listens, NOT_SERVING while the
 * application says it is not ready (`setServing(false)`) and from the start of
 * graceful shutdown (`Server.close`) on. Per-service statuses may be set too
 * (gRPC health's `service` field); a service without one follows the server's.
 * Read by `GET /health`, `grpc.health.v1.Health/Check` and RESP's `RPC.HEALTH`.
 */
export class HealthState {
  private ready = true;
  private shuttingDown = false;
  private readonly services = new Map<string, boolean>();

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

  /**
   * The application's readiness: `setServing(false)` while warming up or when a
   * dependency is down, `setServing(true)` when ready again. With `service`,
   * only that service's status changes.
   */
  setServing(serving: boolean, service?: string): void {
    if (service === undefined || service === "") this.ready = serving;
    else this.services.set(this.canonical(service) ?? service, serving);
  }

  /** Called at the start of graceful shutdown; never undone. */
  markShuttingDown(): void {
    this.shuttingDown = true;
  }
}
