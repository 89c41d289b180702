import type { OutgoingHttpHeaders } from "node:http";

/**
 * Cross-origin calls from browsers (gRPC-Web and Connect) to the service port
 * (docs/PROTOCOL.md#cors). Without it the server sends no CORS header at all,
 * so a browser lets only pages of the port's own origin call it.
 */
export interface CorsOptions {
  /**
   * The origins whose pages may call, as browsers send them (`https://app.example.com`,
   * `http://localhost:5173`: scheme, host and a port other than the default), or
   * `"*"` for any origin, which cannot be combined with `allowCredentials`.
   */
  readonly allowedOrigins: readonly string[] | "*";
  /** Request headers pages may send besides the protocols' own (content-type, connect-*, grpc-timeout, x-grpc-web, authorization, x-api-key, …): the metadata the services read. */
  readonly allowedHeaders?: readonly string[];
  /** Response headers pages may read besides gRPC-Web's status headers. */
  readonly exposedHeaders?: readonly string[];
  /** Whether calls may carry cookies or HTTP authentication (`credentials: "include"`). Default false. */
  readonly allowCredentials?: boolean;
  /** How long a browser may cache a preflight's answer. Default 7200 (Chrome's cap; Firefox caps at 86400). */
  readonly maxAgeSeconds?: number;
}

/**
 * Request headers browser clients of the protocols send that are not
 * CORS-safelisted, so a preflight must allow them: Connect's and gRPC-Web's
 * own, the request compressions the server inflates, the credentials its
 * authenticators read, and the trace context its spans join.
 */
const protocolRequestHeaders = [
  "content-type",
  "connect-protocol-version",
  "connect-timeout-ms",
  "content-encoding",
  "x-grpc-web",
  "x-user-agent",
  "grpc-timeout",
  "grpc-encoding",
  "authorization",
  "x-api-key",
  // W3C trace context: a page instrumented with OpenTelemetry sends them, and the server joins its trace.
  "traceparent",
  "tracestate",
];

/**
 * Response headers a page must be allowed to read. gRPC-Web clients read the
 * status from them when it comes as headers (a trailers-only answer through a
 * proxy); Connect's unary answers need only the safelisted content-type, and
 * content-encoding for a compressed body.
 */
const protocolResponseHeaders = ["grpc-status", "grpc-message", "grpc-status-details-bin", "content-encoding"];

/** The methods of the calls: Connect and gRPC-Web both POST (this server answers no Connect GET). */
const allowedMethods = "POST";

const defaultMaxAgeSeconds = 7200;

/** An HTTP field name (RFC 9110 token). */
const tokenPattern = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * The origin a configured entry stands for, in the form browsers send it
 * (lower case, default port left out), or undefined when the entry is not an
 * http(s) origin: no path, query, user or fragment. `null` (sandboxed frames,
 * files) is no origin to trust.
 */
export function canonicalOrigin(entry: string): string | undefined {
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    return undefined;
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return undefined;
  if (url.username !== "" || url.password !== "" || url.pathname !== "/" || url.search !== "" || url.hash !== "" || entry.includes("?") || entry.includes("#")) return undefined;
  return url.origin;
}

/** True for a header name a preflight may allow or a response may expose. */
export function isHeaderName(name: string): boolean {
  return tokenPattern.test(name);
}

/** Only the Vary header: the answer to an origin that is not allowed, which still depends on the Origin. */
const varyOnly: OutgoingHttpHeaders = Object.freeze({ vary: "Origin" });

/** The headers answered to one allowed origin, made once. */
interface OriginAnswer {
  readonly preflight: OutgoingHttpHeaders;
  readonly response: OutgoingHttpHeaders;
}

/**
 * The server's CORS rules, checked once when the server is made; every answer's
 * headers are made then too, so a request costs one map lookup. An origin that
 * is not allowed gets no allow header at all, and its Origin is never echoed.
 */
export class CorsPolicy {
  private readonly byOrigin = new Map<string, OriginAnswer>();
  private readonly anyOrigin: OriginAnswer | undefined;

  private constructor(options: CorsOptions) {
    const credentials = options.allowCredentials === true;
    const allowHeaders = joinNames("allowedHeaders", protocolRequestHeaders, options.allowedHeaders);
    const exposeHeaders = joinNames("exposedHeaders", protocolResponseHeaders, options.exposedHeaders);
    const maxAge = options.maxAgeSeconds ?? defaultMaxAgeSeconds;
    if (!Number.isSafeInteger(maxAge) || maxAge < 0) throw new TypeError(`server option cors.maxAgeSeconds must be a whole number ≥ 0, got ${String(maxAge)}`);
    const answerTo = (allowOrigin: string): OriginAnswer => {
      const shared = { "access-control-allow-origin": allowOrigin, ...(credentials ? { "access-control-allow-credentials": "true" } : {}), vary: "Origin" };
      return {
        preflight: Object.freeze({ ...shared, "access-control-allow-methods": allowedMethods, "access-control-allow-headers": allowHeaders, "access-control-max-age": String(maxAge) }),
        response: Object.freeze({ ...shared, "access-control-expose-headers": exposeHeaders }),
      };
    };
    if (options.allowedOrigins === "*") {
      // With credentials a browser refuses `*`; echoing every origin instead would let any site act as the user.
      if (credentials) throw new TypeError('server option cors: allowedOrigins "*" cannot be combined with allowCredentials; list the origins');
      this.anyOrigin = answerTo("*");
      return;
    }
    if (!Array.isArray(options.allowedOrigins) || options.allowedOrigins.length === 0) {
      throw new TypeError('server option cors.allowedOrigins must be "*" or a list of at least one origin');
    }
    for (const entry of options.allowedOrigins) {
      const origin = typeof entry === "string" ? canonicalOrigin(entry) : undefined;
      if (origin === undefined) throw new TypeError(`server option cors.allowedOrigins: ${JSON.stringify(entry)} is not an origin such as https://app.example.com`);
      this.byOrigin.set(origin, answerTo(origin));
    }
  }

  /** The policy of the options, or undefined without them (then no CORS header is ever sent). */
  static from(options: CorsOptions | undefined): CorsPolicy | undefined {
    return options === undefined ? undefined : new CorsPolicy(options);
  }

  /** The headers of a preflight's 204 to `origin`: the allow headers if it is allowed, else only Vary. */
  preflightHeaders(origin: string): OutgoingHttpHeaders {
    return (this.anyOrigin ?? this.byOrigin.get(origin))?.preflight ?? varyOnly;
  }

  /** The headers added to a response to a call from `origin`: allow and expose headers if it is allowed, else only Vary. */
  responseHeaders(origin: string): OutgoingHttpHeaders {
    return (this.anyOrigin ?? this.byOrigin.get(origin))?.response ?? varyOnly;
  }
}

/** The protocol's header names and the configured ones, checked, lower case, without repeats, as one header value. */
function joinNames(option: string, builtIn: readonly string[], configured: readonly string[] | undefined): string {
  const names = new Set(builtIn);
  for (const name of configured ?? []) {
    if (typeof name !== "string" || !isHeaderName(name)) throw new TypeError(`server option cors.${option}: ${JSON.stringify(name)} is not a header name`);
    names.add(name.toLowerCase());
  }
  return [...names].join(", ");
}
