import type { HttpExchange, HttpHandler } from "../../protocols/http/http-exchange.js";
import { servedServiceName } from "../health/service-names.js";
import { describeServices } from "../reflection/reflection-schema.js";

const jsonType = "application/json; charset=utf-8";
const textType = "text/plain; charset=utf-8";

function respondJson(exchange: HttpExchange, status: number, value: unknown): void {
  const body = `${JSON.stringify(value, null, 2)}\n`;
  exchange.respond(status, { "content-type": jsonType, "content-length": Buffer.byteLength(body), "cache-control": "no-store" }, body);
}

function respondText(exchange: HttpExchange, status: number, text: string, contentType = textType): void {
  exchange.respond(status, { "content-type": contentType, "content-length": Buffer.byteLength(text), "cache-control": "no-store" }, text);
}

/**
 * `GET /health[?service=Name]`: 200 `{"status":"SERVING"}` while the server
 * wants calls, 503 `{"status":"NOT_SERVING"}` while it is not ready or from the
 * start of graceful shutdown on; 404 `SERVICE_UNKNOWN` for a service it does not serve.
 */
export const healthRoute: HttpHandler = (exchange) => {
  const env = exchange.env;
  const service = new URLSearchParams(exchange.query).get("service") ?? "";
  if (service !== "" && servedServiceName(env.dispatcher.table, service) === undefined) {
    respondJson(exchange, 404, { status: "SERVICE_UNKNOWN" });
    return;
  }
  const status = env.closing ? "NOT_SERVING" : env.observability.health.status(service);
  respondJson(exchange, status === "SERVING" ? 200 : 503, { status });
};

/** `GET /metrics`: the Prometheus text of the server's registry; 404 when metrics are off. */
export const metricsRoute: HttpHandler = (exchange) => {
  const metrics = exchange.env.observability.metrics;
  if (metrics === undefined) {
    respondText(exchange, 404, "metrics are off: turn them on with the server option observability.metrics\n");
    return;
  }
  metrics.exposition().then(
    ({ contentType, text }) => respondText(exchange, 200, text, contentType),
    (error: unknown) => {
      exchange.env.logger.error({ err: error }, "metrics could not be collected");
      respondText(exchange, 500, "metrics could not be collected\n");
    },
  );
};

/** `GET /`: the server's services, methods and types as JSON (the reflection document); 404 when reflection is off. */
export const servicesRoute: HttpHandler = (exchange) => {
  const env = exchange.env;
  if (!env.observability.reflection) {
    respondText(exchange, 404, "reflection is off\n");
    return;
  }
  respondJson(exchange, 200, describeServices(env.dispatcher.table));
};
