/**
 * One provider's node in ZooKeeper: an ephemeral sequential node that lives as
 * long as the registry's session. The node is made sure of again whenever
 *
 * - a new session starts (the old one expired, and its nodes went with it),
 * - the same session reconnects (a create whose answer was lost may have
 *   succeeded: such an orphan, owned by this session and claimed by no other
 *   registration, is adopted rather than duplicated),
 * - the node is deleted by someone else (its watch fires),
 *
 * retrying until it succeeds or the registration is deregistered.
 */
import { Code, RpcError } from "../errors.js";
import type { Logger } from "../logger.js";
import type { ProviderInfo, Registration } from "./registry.js";
import { zooKeeperErrorCode, type ZooKeeperConnection } from "./zookeeper-connection.js";
import { encodeProviderData, providerNodePrefix, providersPath } from "./zookeeper-layout.js";
import type { ZooKeeperLibrary } from "./zookeeper-library.js";
import { SerialTask } from "./zookeeper-serial-task.js";
import type { ZooKeeperSession } from "./zookeeper-session.js";

/** What a ZooKeeperRegistration needs from its registry. */
export interface ZooKeeperRegistrationContext {
  library: typeof ZooKeeperLibrary;
  session: ZooKeeperSession;
  prefix: string;
  connectTimeoutMs: number;
  maxReconnectDelayMs: number;
  logger: Logger;
  /** Paths of the nodes held by the registrations of this registry (so an orphan is told apart). */
  claimedNodes: Set<string>;
}

/** A provider registered in ZooKeeper as an ephemeral sequential node. */
export class ZooKeeperRegistration implements Registration {
  /** The node this registration holds, and the connection (session) that owns it. */
  private node: { path: string; connection: ZooKeeperConnection } | undefined;
  /** A create on this connection failed with a connection loss: it may have succeeded. */
  private createLostOn: ZooKeeperConnection | undefined;
  private registeredOnce = false;
  private readonly stopped = new AbortController();
  private readonly task: SerialTask;
  private readonly unsubscribe: () => void;
  private deregistering: Promise<void> | undefined;
  private readonly data: Buffer;
  /** Any event on the node (deleted, or changed by someone) makes the task check it and watch it again. */
  private readonly watcher = (): void => this.task.request();

  constructor(
    private readonly context: ZooKeeperRegistrationContext,
    readonly provider: ProviderInfo,
    private readonly onDeregistered: () => void,
  ) {
    this.data = encodeProviderData(provider);
    this.task = new SerialTask(() => this.ensureNode(), {
      maxDelayMs: context.maxReconnectDelayMs,
      signal: this.stopped.signal,
      onFailure: (error, attempt) =>
        context.logger.debug(
          { err: error, provider: this.describe(), attempt },
          "registering in ZooKeeper failed; retrying",
        ),
    });
    this.unsubscribe = context.session.subscribe({
      onSession: () => this.task.request(),
      onReconnected: () => this.task.request(),
    });
  }

  /** The path of the node currently held (undefined while there is none). */
  get nodePath(): string | undefined {
    return this.node?.path;
  }

  /** Creates the node; rejects with UNAVAILABLE when that cannot be done within connectTimeoutMs. */
  async start(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new RpcError(
              Code.UNAVAILABLE,
              `could not register ${this.describe()} in ZooKeeper within ${this.context.connectTimeoutMs} ms`,
            ),
          ),
        this.context.connectTimeoutMs,
      );
    });
    try {
      await Promise.race([this.task.nextSuccess(), timeout]);
    } catch (error) {
      await this.deregister();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Deletes the node. When no server answers within connectTimeoutMs the delete
   * stays queued, a warning is logged and this resolves anyway: the node goes when
   * the session ends, and a shutting-down server must go on draining either way.
   */
  deregister(): Promise<void> {
    this.deregistering ??= this.removeNode();
    return this.deregistering;
  }

  private async removeNode(): Promise<void> {
    this.stopped.abort();
    this.unsubscribe();
    // A run still creating the node (no server answers) deletes what it created once it sees the abort.
    await withTimeout(this.task.idle(), this.context.connectTimeoutMs).catch(() => {});
    this.onDeregistered();
    const node = this.node;
    this.release();
    if (!node || node.connection.retired) return;
    try {
      await withTimeout(node.connection.remove(node.path), this.context.connectTimeoutMs);
      this.context.logger.info({ path: node.path }, "provider deregistered from ZooKeeper");
    } catch (error) {
      this.context.logger.warn(
        { err: error, path: node.path },
        "could not delete the provider node in ZooKeeper; it goes when the session ends",
      );
    }
  }

  /** One run of the task: leaves this registration holding a live node of the current session. */
  private async ensureNode(): Promise<void> {
    const connection = this.context.session.current;
    if (this.node && this.node.connection === connection) {
      const stat = await connection.exists(this.node.path, this.watcher);
      if (stat && connection.ownsNode(stat)) return;
      this.context.logger.warn({ path: this.node.path }, "provider node vanished from ZooKeeper; registering again");
    }
    this.release();
    await connection.ensurePath(providersPath(this.context.prefix, this.provider.service));
    const path = (await this.adoptOrphan(connection)) ?? (await this.create(connection));
    this.node = { path, connection };
    this.context.claimedNodes.add(path);
    if (this.stopped.signal.aborted) {
      // Deregistered while the node was being made: removeNode() may have finished already.
      this.release();
      await connection.remove(path);
      return;
    }
    // Watch the node: if someone deletes it, the watch makes this task run again.
    const stat = await connection.exists(path, this.watcher);
    if (!stat) throw new Error(`node ${path} vanished right after it was created`);
    this.context.logger.info(
      { path, sessionId: connection.sessionId, version: this.provider.version },
      this.registeredOnce ? "provider registered again in ZooKeeper" : "provider registered in ZooKeeper",
    );
    this.registeredOnce = true;
  }

  private async create(connection: ZooKeeperConnection): Promise<string> {
    const prefix = providerNodePrefix(this.context.prefix, this.provider);
    try {
      return await connection.createEphemeralSequential(prefix, this.data);
    } catch (error) {
      if (zooKeeperErrorCode(error) === this.context.library.Exception.CONNECTION_LOSS) {
        this.createLostOn = connection;
      }
      throw error;
    }
  }

  /** After a create whose answer was lost: the node it may have made, now taken over; else undefined. */
  private async adoptOrphan(connection: ZooKeeperConnection): Promise<string | undefined> {
    if (this.createLostOn !== connection) return undefined;
    const parent = providersPath(this.context.prefix, this.provider.service);
    const namePrefix = `${this.provider.address}-`;
    const children = (await connection.getChildren(parent)) ?? [];
    for (const name of children) {
      const path = `${parent}/${name}`;
      if (!name.startsWith(namePrefix) || this.context.claimedNodes.has(path)) continue;
      const node = await connection.getData(path);
      if (!node || !connection.ownsNode(node.stat) || this.context.claimedNodes.has(path)) continue;
      if (!node.data?.equals(this.data)) await connection.setData(path, this.data);
      this.createLostOn = undefined;
      this.context.logger.info({ path }, "adopted the provider node of a create whose answer was lost");
      return path;
    }
    this.createLostOn = undefined;
    return undefined;
  }

  private release(): void {
    if (this.node) this.context.claimedNodes.delete(this.node.path);
    this.node = undefined;
  }

  private describe(): string {
    return `${this.provider.service}@${this.provider.address}`;
  }
}

/** Resolves with `promise`, or rejects after `ms` (the promise itself goes on). */
async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
