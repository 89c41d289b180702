/**
 * A plain node-zookeeper-client session with promises, for tests that look at or
 * write ZooKeeper nodes directly (not through ZooKeeperRegistry).
 */
import zookeeper, { type Client, type Stat } from "node-zookeeper-client";

/** A raw ZooKeeper client for tests. */
export interface RawZooKeeper {
  /** Children of `path`, sorted; [] when it does not exist. */
  children(path: string): Promise<string[]>;
  /**
   * Resolves with the children of `path` once `accept(children)` holds: checks now,
   * then again on every child watch event (`path` must exist: a missing node sets
   * no watch); rejects after `timeoutMs`.
   */
  childrenUntil(path: string, accept: (children: string[]) => boolean, description: string, timeoutMs?: number): Promise<string[]>;
  /** Data (as text) and stat of `path`; undefined when it does not exist. */
  read(path: string): Promise<{ text: string; stat: Stat } | undefined>;
  /** Creates `path` (and missing parents, persistent) with `text`; ephemeral nodes live as long as this client. */
  create(path: string, text: string, mode?: "persistent" | "ephemeral"): Promise<void>;
  /** Replaces the data of `path`. */
  write(path: string, text: string): Promise<void>;
  remove(path: string): Promise<void>;
  /** Deletes `path` and everything under it. */
  removeTree(path: string): Promise<void>;
  close(): void;
}

/** Connects to `connectString` and resolves once connected. */
export async function connectRaw(connectString: string): Promise<RawZooKeeper> {
  const client: Client = zookeeper.createClient(connectString, { sessionTimeout: 10_000, spinDelay: 100 });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`raw ZooKeeper client: no connection to ${connectString}`)),
      10_000,
    );
    client.once("connected", () => {
      clearTimeout(timer);
      resolve();
    });
    client.connect();
  });
  const call = <T>(run: (done: (error: unknown, value: T) => void) => void): Promise<T> =>
    new Promise((resolve, reject) => run((error, value) => (error ? reject(error) : resolve(value))));
  const isNoNode = (error: unknown): boolean => (error as { code?: number })?.code === zookeeper.Exception.NO_NODE;
  const raw: RawZooKeeper = {
    children: (path) =>
      call<string[]>((done) =>
        client.getChildren(path, (error, children) => (isNoNode(error) ? done(null, []) : done(error, children))),
      ).then((children) => [...children].sort()),
    childrenUntil: (path, accept, description, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        let last: string[] = [];
        let settled = false;
        const timer = setTimeout(() => {
          settled = true;
          reject(new Error(`children of ${path} never showed ${description} within ${timeoutMs} ms; last: ${last.join(",")}`));
        }, timeoutMs);
        const check = (): void => {
          if (settled) return;
          client.getChildren(
            path,
            () => check(),
            (error, children) => {
              if (settled) return;
              if (error && !isNoNode(error)) {
                settled = true;
                clearTimeout(timer);
                reject(error);
                return;
              }
              last = error ? [] : [...children].sort();
              if (!accept(last)) return;
              settled = true;
              clearTimeout(timer);
              resolve(last);
            },
          );
        };
        check();
      }),
    read: (path) =>
      call((done) =>
        client.getData(path, (error, data, stat) =>
          isNoNode(error) ? done(null, undefined) : done(error, { text: data?.toString("utf8") ?? "", stat }),
        ),
      ),
    async create(path, text, mode = "persistent") {
      const parent = path.slice(0, path.lastIndexOf("/"));
      if (parent) await call((done) => client.mkdirp(parent, (error) => done(error, undefined)));
      const flag = mode === "ephemeral" ? zookeeper.CreateMode.EPHEMERAL : zookeeper.CreateMode.PERSISTENT;
      await call((done) => client.create(path, Buffer.from(text), flag, (error) => done(error, undefined)));
    },
    write: (path, text) => call((done) => client.setData(path, Buffer.from(text), (error) => done(error, undefined))),
    remove: (path) => call((done) => client.remove(path, (error) => done(error, undefined))),
    async removeTree(path) {
      for (const child of await raw.children(path)) await raw.removeTree(`${path}/${child}`);
      await call<void>((done) =>
        client.remove(path, (error) => (isNoNode(error) ? done(null, undefined) : done(error, undefined))),
      );
    },
    close: () => client.close(),
  };
  return raw;
}
