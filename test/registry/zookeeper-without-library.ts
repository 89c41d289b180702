/**
 * Run with the resolve hook below registered: node-zookeeper-client then cannot be
 * found, as in a project that did not install it. Prints what ZooKeeperRegistry
 * answers: "error <code> <message>".
 * Usage: node --import tsx --import ./zookeeper-hide-library.mjs zookeeper-without-library.ts
 */
import { RpcError, silentLogger, ZooKeeperRegistry } from "@rpcgen/runtime";

const registry = new ZooKeeperRegistry({ servers: ["127.0.0.1:1"], connectTimeoutMs: 500, logger: silentLogger });
try {
  await registry.watch("Calc");
  process.stdout.write("no error\n");
} catch (error) {
  const code = error instanceof RpcError ? error.code : "not an RpcError";
  process.stdout.write(`error ${code} ${(error as Error).message}\n`);
}
await registry.close();
