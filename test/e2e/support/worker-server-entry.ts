/**
 * Entry script of the multi-process server test: run it with
 * `node --import tsx worker-server-entry.ts` and `E2E_STUBS_DIR` set to a
 * directory holding the stubs generated from roundtrip.thrift.
 *
 * With `workers: 2`, node:cluster re-runs this same script in each worker, so
 * the build-and-listen code below runs unconditionally in every process: in
 * the primary `listen` forks the workers and resolves once both listen; in a
 * worker it serves the shared port. Only the primary prints the port.
 */
import cluster from "node:cluster";
import path from "node:path";
import { Server, installShutdownSignals, silentLogger } from "@rpcgen/runtime";
import { EchoHandler } from "./echo-handler.js";

void main();

async function main(): Promise<void> {
  const stubsDir = process.env["E2E_STUBS_DIR"];
  if (stubsDir === undefined) throw new Error("worker-server-entry: set E2E_STUBS_DIR to the generated stubs' directory");
  const roundtrip = (await import(path.join(stubsDir, "roundtrip.ts"))) as Record<string, (...args: unknown[]) => unknown>;
  const handler = new EchoHandler(roundtrip);
  // Which process answered: the test checks that both workers serve calls.
  handler.whoAmI = () => `worker ${process.pid}`;
  const server = new Server({ logger: silentLogger });
  roundtrip["registerLoudEcho"]!(server, handler);
  const address = await server.listen({ host: "127.0.0.1", port: 0, workers: 2 });
  installShutdownSignals(server, { graceMs: 2000 });
  if (cluster.isPrimary) console.log(`listening on ${address.host}:${address.port}`);
}
