import { Code, RpcError } from "../errors.js";
import type { ProviderWatch, Registration } from "./registry.js";

/**
 * What a networked registry (etcd, ZooKeeper) holds open for its users: the
 * registrations and watches it started. close() ends them once and in order —
 * registrations first, so providers leave the list while it is still watched,
 * then the watches, then the backend's client — and nothing new starts once
 * close() has begun.
 */
export class RegistryResources<R extends Registration, W extends ProviderWatch> {
  private readonly registrations = new Set<R>();
  private readonly watches = new Set<W>();
  private closing: Promise<void> | undefined;

  /** `registryName` names the registry in errors ("EtcdRegistry is closed"), `backend` the store ("etcd"). */
  constructor(
    private readonly registryName: string,
    private readonly backend: string,
  ) {}

  /** FAILED_PRECONDITION once close() has begun. */
  checkOpen(): void {
    if (this.closing) throw new RpcError(Code.FAILED_PRECONDITION, `${this.registryName} is closed`);
  }

  /** Tracks `registration` while `start` runs, and after it unless it fails. */
  async startRegistration(registration: R, start: () => Promise<void>): Promise<R> {
    this.registrations.add(registration);
    try {
      await start();
    } catch (error) {
      this.registrations.delete(registration);
      throw error;
    }
    return registration;
  }

  /** Tracks `watch` once its first listing succeeds; a failed one is closed and reported as UNAVAILABLE. */
  async startWatch(watch: W, service: string, start: () => Promise<void>): Promise<W> {
    this.watches.add(watch);
    try {
      await start();
    } catch (error) {
      await watch.close();
      throw new RpcError(
        Code.UNAVAILABLE,
        `could not list providers of ${service} from ${this.backend}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    return watch;
  }

  /** A registration or watch that ended by itself (deregister(), close()) is no longer tracked. */
  forget(resource: R | W): void {
    this.registrations.delete(resource as R);
    this.watches.delete(resource as W);
  }

  /** Ends everything once; `closeBackend` closes the client or session last. */
  close(closeBackend: () => Promise<void>): Promise<void> {
    this.closing ??= (async () => {
      await Promise.all([...this.registrations].map((registration) => registration.deregister()));
      await Promise.all([...this.watches].map((watch) => watch.close()));
      await closeBackend();
    })();
    return this.closing;
  }
}

/** An option that must be a finite number > 0; `fail` throws the registry's INVALID_ARGUMENT. */
export function positiveOption(value: number, name: string, fail: (message: string) => never): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    fail(`${name} ${JSON.stringify(value)} must be a number > 0`);
  }
  return value;
}
