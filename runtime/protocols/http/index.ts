export { HttpRoutes } from "./http-routes.js";
export type { HttpExchange, HttpHandler } from "./http-exchange.js";
export { createHttp1Protocol } from "./http1-protocol.js";
export { createHttp2Protocol } from "./http2-protocol.js";
export type { Http2StreamHandler } from "./http2-stream-handler.js";
export type { CorsOptions } from "./cors-policy.js";
