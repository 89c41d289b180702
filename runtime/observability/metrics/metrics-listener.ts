import { createServer } from "node:http";
import type { HostPort } from "../../transport/address.js";
import { RpcMetrics, type MetricsOptions } from "./rpc-metrics.js";

/** A metrics endpoint of its own: where it listens, and how to stop it. */
export interface MetricsListener {
  readonly address: HostPort;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` of a registry on an address of its own (e.g. a port
 * only the monitoring network reaches), besides or instead of the service port:
 * `await serveMetrics({ host: "0.0.0.0", port: 9464 })`. Default registry:
 * prom-client's global one, where servers and clients put their metrics.
 */
export async function serveMetrics(options: MetricsOptions & { host?: string; port?: number } = {}): Promise<MetricsListener> {
  const metrics = RpcMetrics.of(options);
  const server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0];
    if (request.method !== "GET" || path !== "/metrics") {
      response.writeHead(404, { "content-type": "text/plain; charset=utf-8" }).end("not found: GET /metrics\n");
      return;
    }
    metrics.exposition().then(
      ({ contentType, text }) => response.writeHead(200, { "content-type": contentType }).end(text),
      () => response.writeHead(500, { "content-type": "text/plain; charset=utf-8" }).end("metrics could not be collected\n"),
    );
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host, port: options.port ?? 0 }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const bound = server.address();
  const address = bound !== null && typeof bound === "object" ? { host: bound.address, port: bound.port } : { host, port: options.port ?? 0 };
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
