/**
 * Loads node-zookeeper-client (a pure JavaScript ZooKeeper client) on first use,
 * so a process that imports the runtime without using ZooKeeper never loads it,
 * and a project that does not use ZooKeeper may leave the package out: the error
 * then names the package to install.
 */
import type * as ZooKeeperLibrary from "node-zookeeper-client";
import { Code, RpcError } from "../errors.js";

export type { ZooKeeperLibrary };

/** The npm package ZooKeeperRegistry needs. */
export const ZOOKEEPER_PACKAGE = "node-zookeeper-client";

let loading: Promise<typeof ZooKeeperLibrary> | undefined;

/** The node-zookeeper-client module; rejects with FAILED_PRECONDITION naming the package when it is missing. */
export function loadZooKeeperLibrary(): Promise<typeof ZooKeeperLibrary> {
  loading ??= import("node-zookeeper-client").then(
    // A CommonJS package: its exports object arrives as `default`.
    (module) => (module as unknown as { default?: typeof ZooKeeperLibrary }).default ?? module,
    (error: unknown) => {
      loading = undefined; // installing the package and retrying must work without a restart
      throw new RpcError(
        Code.FAILED_PRECONDITION,
        `ZooKeeperRegistry needs the npm package ${ZOOKEEPER_PACKAGE}, which could not be loaded ` +
          `(${(error as Error).message}); install it with: npm install ${ZOOKEEPER_PACKAGE}`,
        { cause: error },
      );
    },
  );
  return loading;
}
