/**
 * One provider's entry in etcd, kept alive by a lease. etcd3 keeps the lease alive
 * but does nothing when it is lost (expired while etcd was unreachable, or revoked):
 * this class then grants a new lease and writes the entry again, retrying until it
 * succeeds or the registration is deregistered.
 */
import type { Etcd3, Lease } from "etcd3";
import { Code, RpcError } from "../errors.js";
import type { ProviderInfo, Registration } from "./registry.js";
import type { Logger } from "../logger.js";
import { pause, retryDelayMs } from "./retry-delay.js";

/** What an EtcdRegistration needs from its registry. */
export interface EtcdRegistrationContext {
  client: Etcd3;
  ttlSeconds: number;
  maxReconnectDelayMs: number;
  logger: Logger;
}

/** A provider registered in etcd under `key` with value `value`, under a lease. */
export class EtcdRegistration implements Registration {
  private lease: Lease | undefined;
  private readonly stopped = new AbortController();
  private recovery: Promise<void> | undefined;
  private deregistering: Promise<void> | undefined;

  constructor(
    private readonly context: EtcdRegistrationContext,
    readonly provider: ProviderInfo,
    readonly key: string,
    private readonly value: string,
    private readonly onDeregistered: () => void,
  ) {}

  /** Writes the entry the first time; rejects with UNAVAILABLE when etcd cannot be reached. */
  async start(): Promise<void> {
    try {
      await this.establish();
    } catch (error) {
      throw new RpcError(
        Code.UNAVAILABLE,
        `could not register ${this.describe()} in etcd: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }

  /**
   * Revokes the lease, which deletes the entry. If etcd cannot be reached, the
   * keepalive stops anyway so the entry expires within the TTL; that is logged and
   * not thrown, because a shutting-down server must go on draining either way.
   */
  deregister(): Promise<void> {
    this.deregistering ??= this.revoke();
    return this.deregistering;
  }

  private async revoke(): Promise<void> {
    this.stopped.abort();
    await this.recovery;
    const lease = this.lease;
    this.lease = undefined;
    this.onDeregistered();
    if (!lease) return;
    try {
      await lease.revoke();
      this.context.logger.info({ key: this.key }, "provider deregistered from etcd");
    } catch (error) {
      lease.release();
      this.context.logger.warn(
        { err: error, key: this.key, ttlSeconds: this.context.ttlSeconds },
        "could not revoke the lease in etcd; the entry expires when its TTL runs out",
      );
    }
  }

  /** Grants a lease and writes the entry under it. */
  private async establish(): Promise<void> {
    const lease = this.context.client.lease(this.context.ttlSeconds);
    lease.on("lost", (error) => this.handleLost(lease, error));
    try {
      await lease.grant();
      await lease.put(this.key).value(this.value).exec();
    } catch (error) {
      lease.release();
      throw error;
    }
    if (lease.revoked()) throw new Error("the lease was lost while the entry was being written");
    if (this.stopped.signal.aborted) {
      // Deregistered while we were writing: leave no entry behind.
      await lease.revoke().catch(() => lease.release());
      return;
    }
    this.lease = lease;
  }

  private handleLost(lease: Lease, error: Error): void {
    if (lease !== this.lease || this.stopped.signal.aborted) return;
    this.lease = undefined;
    this.context.logger.warn({ err: error, key: this.key }, "etcd lease lost; registering again");
    this.recovery = this.reestablish();
  }

  private async reestablish(): Promise<void> {
    for (let attempt = 0; !this.stopped.signal.aborted; attempt++) {
      try {
        await this.establish();
        if (this.lease) this.context.logger.info({ key: this.key }, "provider registered again in etcd");
        return;
      } catch (error) {
        this.context.logger.debug(
          { err: error, key: this.key, attempt },
          "registering again failed; retrying",
        );
      }
      const delay = retryDelayMs(attempt, this.context.maxReconnectDelayMs);
      if (!(await pause(delay, this.stopped.signal))) return;
    }
  }

  private describe(): string {
    return `${this.provider.service}@${this.provider.address}`;
  }
}
