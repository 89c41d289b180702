/**
 * The calculator server: `npm run calculator:server -- --port 0` serves the
 * Calculator service on one port for every protocol the port speaks (binary
 * frames with JSON or protobuf bodies, RESP, gRPC, Connect, Thrift) and prints
 * `listening on <host>:<port>`. The same port answers `GET /metrics`
 * (Prometheus), `GET /health` and `GET /` (the services as JSON); failed calls
 * and connections are logged on stderr (pino, level info). SIGTERM or SIGINT
 * closes it gracefully: /health turns 503 at once, new connections are still
 * taken for --drain-delay-ms (so load balancers notice), then goaway to
 * clients, calls in flight finish, and it exits.
 *
 * --trace-log writes every span (one per call, child of the caller's span) as a
 * JSON line on stderr; without it, spans go to whatever the global OpenTelemetry
 * tracer provider is (none: the trace context is still carried through).
 *
 * Security flags, each optional (see ../security-flags.ts and docs/SECURITY.md):
 * --tls-cert S.crt --tls-key S.key [--tls-ca CA.crt] [--allow-plaintext] [--auth-token TOKEN]
 */
import { parseArgs } from "node:util";
import { pino } from "pino";
import { Server, installShutdownSignals, type TracingOptions } from "@rpcgen/runtime";
import { registerCalculator } from "./gen/calculator.js";
import { CalculatorHandlerImpl } from "./calculator-handler.js";
import { securityFlags, securityOptions, warnIfExposed } from "../security-flags.js";

const { values } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "9090" },
    workers: { type: "string", default: "1" },
    "drain-delay-ms": { type: "string", default: "1000" },
    "log-level": { type: "string", default: "info" },
    "trace-log": { type: "boolean", default: false },
    ...securityFlags,
  },
});

const port = Number(values.port);
const workers = Number(values.workers);
const drainDelayMs = Number(values["drain-delay-ms"]);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`calculator server: --port must be a port number (0 picks a free one), got "${values.port}"`);
  process.exit(2);
}
if (!Number.isInteger(workers) || workers < 1) {
  console.error(`calculator server: --workers must be a whole number ≥ 1, got "${values.workers}"`);
  process.exit(2);
}
if (!Number.isFinite(drainDelayMs) || drainDelayMs < 0) {
  console.error(`calculator server: --drain-delay-ms must be zero or more milliseconds, got "${values["drain-delay-ms"]}"`);
  process.exit(2);
}

// The application's logger: any pino instance (or object with debug/info/warn/error) plugs in.
const logger = pino({ name: "calculator", level: values["log-level"] }, pino.destination(2));
const tracing: TracingOptions = values["trace-log"] ? { tracerProvider: (await import("./trace-log.js")).stderrTracerProvider() } : {};

const security = securityOptions(values, "calculator server");
warnIfExposed(values.host, security, "calculator server");
const server = new Server({ logger, observability: { metrics: true, tracing, logs: true, drainDelayMs }, ...security });
registerCalculator(server, new CalculatorHandlerImpl());
const address = await server.listen({ host: values.host, port, workers: workers > 1 ? workers : undefined });
installShutdownSignals(server);
console.log(`listening on ${address.host}:${address.port}`);
