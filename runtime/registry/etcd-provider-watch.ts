/**
 * Follows the providers of one service in etcd: list the prefix, then watch from
 * the revision of that listing + 1. After any watch failure (disconnect, etcd
 * restart, compaction) it lists again and watches again, so no change is missed;
 * until a listing succeeds the last known good list stays as it is.
 */
import type { Etcd3, IKeyValue, IWatchResponse, Watcher } from "etcd3";
import { decodeProvider } from "./etcd-key-layout.js";
import { ProviderSetWatch } from "./provider-set-watch.js";
import type { ProviderInfo } from "./registry.js";
import type { Logger } from "../logger.js";
import { pause, retryDelayMs } from "./retry-delay.js";

/** What an EtcdProviderWatch needs from its registry. */
export interface EtcdWatchContext {
  client: Etcd3;
  maxReconnectDelayMs: number;
  logger: Logger;
}

/** A ProviderWatch backed by an etcd prefix. */
export class EtcdProviderWatch extends ProviderSetWatch {
  private watcher: Watcher | undefined;
  private readonly stopped = new AbortController();
  private resyncing: Promise<void> | undefined;

  constructor(
    private readonly context: EtcdWatchContext,
    service: string,
    private readonly prefix: string,
    onClosed: () => void,
  ) {
    super(service, context.logger, async () => {
      this.stopped.abort();
      this.dropWatcher();
      await this.resyncing;
      onClosed();
    });
  }

  /** First listing and watch; rejects if etcd cannot be reached. */
  async start(): Promise<void> {
    await this.listAndWatch();
  }

  private async listAndWatch(): Promise<void> {
    const response = await this.context.client.getAll().prefix(this.prefix).exec();
    if (this.stopped.signal.aborted) return;
    const entries: [string, ProviderInfo][] = [];
    for (const kv of response.kvs) {
      const provider = this.decode(kv);
      if (provider) entries.push([kv.key.toString("utf8"), provider]);
    }
    this.replaceAll(entries);
    this.openWatcher((BigInt(response.header.revision) + 1n).toString());
  }

  private openWatcher(startRevision: string): void {
    // watcher() rather than create(): create() waits for etcd's acknowledgement and
    // never settles if the watcher is cancelled first; the listing is already known.
    const watcher = this.context.client.watch().prefix(this.prefix).startRevision(startRevision).watcher();
    this.watcher = watcher;
    watcher.on("data", (response: IWatchResponse) => {
      if (watcher === this.watcher) this.applyEvents(response);
    });
    // Any failure, recoverable or not, ends in a fresh listing: etcd3 would resume a
    // disconnected watch by itself, but not one cancelled by compaction.
    watcher.on("disconnected", (error: Error) => this.restart(watcher, error));
    watcher.on("error", (error: Error) => this.restart(watcher, error));
  }

  private applyEvents(response: IWatchResponse): void {
    const changes: [string, ProviderInfo | undefined][] = [];
    for (const event of response.events) {
      const key = event.kv.key.toString("utf8");
      changes.push([key, event.type === "Delete" ? undefined : this.decode(event.kv)]);
    }
    if (changes.length > 0) this.apply(changes);
  }

  private decode(kv: IKeyValue): ProviderInfo | undefined {
    const key = kv.key.toString("utf8");
    const result = decodeProvider(this.prefix, this.service, key, kv.value.toString("utf8"));
    if (typeof result === "string") {
      this.context.logger.warn({ key, problem: result }, "ignoring an unreadable provider entry in etcd");
      return undefined;
    }
    return result;
  }

  private restart(watcher: Watcher, error: Error): void {
    if (watcher !== this.watcher || this.stopped.signal.aborted) return;
    this.context.logger.warn(
      { err: error, service: this.service },
      "etcd watch failed; listing providers again (keeping the last known list meanwhile)",
    );
    this.dropWatcher();
    this.resyncing = this.resync();
  }

  private async resync(): Promise<void> {
    for (let attempt = 0; !this.stopped.signal.aborted; attempt++) {
      try {
        await this.listAndWatch();
        this.context.logger.info({ service: this.service }, "etcd watch resumed");
        return;
      } catch (error) {
        this.context.logger.debug(
          { err: error, service: this.service, attempt },
          "listing providers failed; retrying",
        );
      }
      const delay = retryDelayMs(attempt, this.context.maxReconnectDelayMs);
      if (!(await pause(delay, this.stopped.signal))) return;
    }
  }

  private dropWatcher(): void {
    const watcher = this.watcher;
    this.watcher = undefined;
    if (!watcher) return;
    // Cancelling waits for etcd's acknowledgement, which may never come while etcd is
    // down; nothing depends on it, so it is not awaited.
    watcher.cancel().catch((error: unknown) => {
      this.context.logger.debug({ err: error, service: this.service }, "cancelling an etcd watcher failed");
    });
  }
}
