/**
 * The calculator server: `npm run calculator:server -- --port 0` serves the
 * Calculator service on one port for binary frames (JSON or protobuf bodies)
 * and RESP, and prints `listening on <host>:<port>`. SIGTERM or SIGINT closes
 * it gracefully: goaway to clients, calls in flight finish, then exit.
 */
import { parseArgs } from "node:util";
import { Server, installShutdownSignals } from "rpcgen/runtime";
import { registerCalculator } from "./gen/calculator.js";
import { CalculatorHandlerImpl } from "./calculator-handler.js";

const { values } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "9090" },
    workers: { type: "string", default: "1" },
  },
});

const port = Number(values.port);
const workers = Number(values.workers);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`calculator server: --port must be a port number (0 picks a free one), got "${values.port}"`);
  process.exit(2);
}
if (!Number.isInteger(workers) || workers < 1) {
  console.error(`calculator server: --workers must be a whole number ≥ 1, got "${values.workers}"`);
  process.exit(2);
}

const server = new Server();
registerCalculator(server, new CalculatorHandlerImpl());
const address = await server.listen({ host: values.host, port, workers: workers > 1 ? workers : undefined });
installShutdownSignals(server);
console.log(`listening on ${address.host}:${address.port}`);
