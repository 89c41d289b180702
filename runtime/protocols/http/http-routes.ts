import type { HttpHandler } from "./http-exchange.js";

interface PrefixRoute {
  readonly method: string;
  readonly prefix: string;
  readonly handler: HttpHandler;
}

/**
 * What the port answers over plain HTTP (HTTP/1.1, and HTTP/2 requests that are
 * not gRPC): exact routes (`GET /metrics`) first, then prefix routes in the
 * order they were added (Connect takes `POST /`). A protocol or a feature
 * registers its handlers here; the HTTP connections only look them up.
 */
export class HttpRoutes {
  private readonly exact = new Map<string, HttpHandler>();
  private readonly prefixes: PrefixRoute[] = [];

  /** Answers `method` requests for exactly `path` (no query). */
  route(method: string, path: string, handler: HttpHandler): this {
    const key = `${method} ${path}`;
    if (this.exact.has(key)) throw new Error(`HTTP route ${key} is already taken`);
    this.exact.set(key, handler);
    return this;
  }

  /** Answers `method` requests for every path starting with `prefix` that no exact route takes. */
  routePrefix(method: string, prefix: string, handler: HttpHandler): this {
    this.prefixes.push({ method, prefix, handler });
    return this;
  }

  /** The handler for a request, or undefined: the connection answers 404, or 405 when `allowed` lists other methods. */
  find(method: string, path: string): HttpHandler | undefined {
    const exact = this.exact.get(`${method} ${path}`);
    if (exact !== undefined) return exact;
    for (const route of this.prefixes) {
      if (route.method === method && path.startsWith(route.prefix)) return route.handler;
    }
    return undefined;
  }

  /** The methods some route answers for `path`: for the `Allow` header of a 405. */
  allowed(path: string): string[] {
    const methods = new Set<string>();
    for (const key of this.exact.keys()) {
      const space = key.indexOf(" ");
      if (key.slice(space + 1) === path) methods.add(key.slice(0, space));
    }
    for (const route of this.prefixes) if (path.startsWith(route.prefix)) methods.add(route.method);
    return [...methods];
  }
}
