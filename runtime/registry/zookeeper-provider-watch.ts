/**
 * Follows the providers of one service in ZooKeeper. ZooKeeper watches fire once,
 * so every event (children changed, a node's data changed or deleted, the parent
 * created) just asks for a sync, and a sync lists the children again with a new
 * watch and reads (and watches) the nodes it does not know yet or that changed.
 * After a reconnection or a new session every node is read again, because watches
 * set on a lost session are gone and an event may have been missed in between.
 * Until a sync succeeds the last known good list stays as it is: a connection
 * loss never empties it.
 *
 * Several nodes of one address (a provider that restarted before its old session
 * expired, or a stale node a lagging server still shows) are one provider: the
 * node with the highest sequence number, the newest registration, wins.
 */
import type { Event } from "node-zookeeper-client";
import type { Logger } from "../logger.js";
import { ProviderSetWatch } from "./provider-set-watch.js";
import type { ProviderInfo } from "./registry.js";
import type { ZooKeeperConnection } from "./zookeeper-connection.js";
import { decodeProviderNode, providersPath } from "./zookeeper-layout.js";
import type { ZooKeeperLibrary } from "./zookeeper-library.js";
import { SerialTask } from "./zookeeper-serial-task.js";
import type { ZooKeeperSession } from "./zookeeper-session.js";

/** What a ZooKeeperProviderWatch needs from its registry. */
export interface ZooKeeperWatchContext {
  library: typeof ZooKeeperLibrary;
  session: ZooKeeperSession;
  prefix: string;
  maxReconnectDelayMs: number;
  logger: Logger;
}

/** One readable provider node. */
interface ProviderNode {
  address: string;
  sequence: number;
  provider: ProviderInfo;
}

/** A ProviderWatch backed by the children of a ZooKeeper node. */
export class ZooKeeperProviderWatch extends ProviderSetWatch {
  private readonly path: string;
  /** Every child read so far, by name; undefined for an unreadable one (logged once per read). */
  private readonly nodes = new Map<string, ProviderNode | undefined>();
  /** Children whose data changed since they were read. */
  private readonly changedNodes = new Set<string>();
  private readAll = true;
  private readonly stopped = new AbortController();
  private readonly task: SerialTask;
  private readonly unsubscribe: () => void;
  private failing = false;
  // One function per kind: the library keeps a watcher once per path and function.
  private readonly childrenWatcher = (): void => this.task.request();
  private readonly parentWatcher = (): void => this.task.request();
  private readonly nodeWatcher = (event: Event): void => {
    if (event.getType() === this.context.library.Event.NODE_DATA_CHANGED) {
      this.changedNodes.add(event.getPath().slice(this.path.length + 1));
    }
    this.task.request();
  };

  constructor(
    private readonly context: ZooKeeperWatchContext,
    service: string,
    onClosed: () => void,
  ) {
    super(service, context.logger, async () => {
      this.stopped.abort();
      this.unsubscribe();
      onClosed();
    });
    this.path = providersPath(context.prefix, service);
    this.task = new SerialTask(() => this.sync(), {
      maxDelayMs: context.maxReconnectDelayMs,
      signal: this.stopped.signal,
      onFailure: (error, attempt) => {
        if (!this.failing) {
          context.logger.warn(
            { err: error, service },
            "listing providers in ZooKeeper failed; retrying (keeping the last known list meanwhile)",
          );
        }
        this.failing = true;
        context.logger.debug({ err: error, service, attempt }, "listing providers in ZooKeeper failed");
      },
    });
    const readAllAgain = (): void => {
      this.readAll = true;
      this.task.request();
    };
    this.unsubscribe = context.session.subscribe({ onSession: readAllAgain, onReconnected: readAllAgain });
  }

  /** Resolves once the first full list is known; rejects after `timeoutMs`. */
  async start(timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.task.nextSuccess(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no full listing within ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** One run of the task: the children and the data of new or changed ones, every watch set again. */
  private async sync(): Promise<void> {
    const connection = this.context.session.current;
    const children = await connection.getChildren(this.path, this.childrenWatcher);
    if (children === undefined) {
      // No provider of this service was ever registered: wait for the parent to appear.
      if (await connection.exists(this.path, this.parentWatcher)) {
        throw new Error(`${this.path} was created while it was being listed`);
      }
      this.nodes.clear();
      this.finish([]);
      return;
    }
    const readAll = this.readAll;
    const changed = new Set(this.changedNodes);
    this.readAll = false;
    this.changedNodes.clear();
    try {
      await this.readNodes(connection, children, readAll, changed);
    } catch (error) {
      // Read these again on the retry.
      this.readAll ||= readAll;
      for (const name of changed) this.changedNodes.add(name);
      throw error;
    }
    this.finish([...this.nodes.values()]);
  }

  private async readNodes(
    connection: ZooKeeperConnection,
    children: readonly string[],
    readAll: boolean,
    changed: ReadonlySet<string>,
  ): Promise<void> {
    const present = new Set(children);
    const toRead = children.filter((name) => readAll || changed.has(name) || !this.nodes.has(name));
    const results = await Promise.all(
      toRead.map((name) => connection.getData(`${this.path}/${name}`, this.nodeWatcher)),
    );
    for (const name of [...this.nodes.keys()]) if (!present.has(name)) this.nodes.delete(name);
    toRead.forEach((name, index) => {
      const result = results[index];
      if (!result) {
        this.nodes.delete(name); // deleted since the listing; the children watch fires too
        return;
      }
      const decoded = decodeProviderNode(this.service, name, result.data);
      if (typeof decoded === "string") {
        this.context.logger.warn(
          { path: `${this.path}/${name}`, problem: decoded },
          "ignoring an unreadable provider node in ZooKeeper",
        );
        this.nodes.set(name, undefined);
      } else {
        this.nodes.set(name, decoded);
      }
    });
  }

  /** Publishes the newest node of each address. */
  private finish(nodes: readonly (ProviderNode | undefined)[]): void {
    const newest = new Map<string, ProviderNode>();
    for (const node of nodes) {
      if (!node) continue;
      const current = newest.get(node.address);
      if (!current || node.sequence > current.sequence) newest.set(node.address, node);
    }
    this.replaceAll([...newest].map(([address, node]) => [address, node.provider] as [string, ProviderInfo]));
    if (this.failing) this.context.logger.info({ service: this.service }, "ZooKeeper provider list resumed");
    this.failing = false;
  }
}
