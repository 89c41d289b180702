import { healthRoute, metricsRoute, servicesRoute } from "../observability/http/ops-routes.js";
import { createConnectHandler } from "./connect/connect-handler.js";
import { withGrpcHealth } from "./grpc/grpc-health.js";
import { grpcStreamHandler } from "./grpc/grpc-stream-handler.js";
import { createGrpcWebHandler, isGrpcWeb } from "./grpc/grpc-web-handler.js";
import { HttpRoutes } from "./http/http-routes.js";
import { createHttp1Protocol } from "./http/http1-protocol.js";
import { createHttp2Protocol } from "./http/http2-protocol.js";

const connectHandler = createConnectHandler();
const grpcWebHandler = createGrpcWebHandler();

/**
 * The HTTP side of the service port, put together: gRPC on HTTP/2 streams, and
 * the routes answered over HTTP/1.1 and HTTP/2 alike, where Connect and
 * gRPC-Web (told apart by the content type) take
 * `POST /<package>.<Service>/<method>`. Features that answer other paths on
 * the same port (`GET /metrics`, `GET /health`) add their routes to `httpRoutes`.
 * The grpc/ and connect/ folders never import each other; this module is where
 * they meet the HTTP layer.
 */
export const httpRoutes = new HttpRoutes()
  .routePrefix("POST", "/", (exchange) => (isGrpcWeb(exchange.headers["content-type"]) ? grpcWebHandler : connectHandler)(exchange))
  // docs/OBSERVABILITY.md: readiness, Prometheus metrics, the services as JSON.
  .route("GET", "/health", healthRoute)
  .route("GET", "/metrics", metricsRoute)
  .route("GET", "/", servicesRoute);

export const http2Protocol = createHttp2Protocol(httpRoutes, [withGrpcHealth(grpcStreamHandler)]);

export const http1Protocol = createHttp1Protocol(httpRoutes);
