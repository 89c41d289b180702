import { spawn } from "node:child_process";

/** What curl received: the final response's status line, headers (names in lower case, repeats joined with ", ") and body. */
export interface CurlReply {
  readonly status: number;
  /** `HTTP/1.1` or `HTTP/2`, as curl prints it. */
  readonly httpVersion: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export interface CurlRequest {
  readonly method: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as it is (`--data-binary`), through curl's stdin. */
  readonly body?: Buffer | string;
  /** HTTP/2 over cleartext with prior knowledge; HTTP/1.1 otherwise. */
  readonly http2?: boolean;
  /** The request target sent instead of the URL's path, e.g. `*` (curl's `--request-target`). */
  readonly requestTarget?: string;
}

/**
 * One request made by curl, an HTTP client that is not ours: `-i` output split
 * into the status, headers and body of the final response (interim 1xx
 * responses skipped). Rejects if curl fails (exit code other than 0).
 */
export function curl(url: string, request: CurlRequest): Promise<CurlReply> {
  const headerArgs = Object.entries(request.headers ?? {}).flatMap(([name, value]) => ["-H", `${name}: ${value}`]);
  const args = [
    "-s",
    "-S",
    "-i",
    "--max-time",
    "10",
    request.http2 === true ? "--http2-prior-knowledge" : "--http1.1",
    "-X",
    request.method,
    // No `Expect: 100-continue` for larger bodies: one response per request.
    "-H",
    "Expect:",
    ...headerArgs,
    ...(request.body === undefined ? [] : ["--data-binary", "@-"]),
    ...(request.requestTarget === undefined ? [] : ["--request-target", request.requestTarget]),
    url,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn("curl", args, { stdio: ["pipe", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return reject(new Error(`curl exited with ${code}: ${Buffer.concat(err).toString().trim()}; it printed ${JSON.stringify(Buffer.concat(out).toString("latin1").slice(0, 500))}`));
      resolve(parseCurlOutput(Buffer.concat(out)));
    });
    child.stdin.end(request.body ?? "");
  });
}

function parseCurlOutput(output: Buffer): CurlReply {
  let rest = output;
  for (;;) {
    const split = rest.indexOf("\r\n\r\n");
    const head = (split < 0 ? rest : rest.subarray(0, split)).toString("latin1").split("\r\n");
    const body = split < 0 ? Buffer.alloc(0) : rest.subarray(split + 4);
    const [httpVersion = "", status = ""] = head[0]!.split(" ");
    if (/^1\d\d$/.test(status) && split >= 0) {
      rest = body;
      continue;
    }
    const headers: Record<string, string> = {};
    for (const line of head.slice(1)) {
      const colon = line.indexOf(":");
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    return { status: Number(status), httpVersion, headers, body };
  }
}

/** The Access-Control-* headers of a reply (none at all is what a server without CORS sends). */
export function accessControlHeaders(reply: CurlReply): Record<string, string> {
  return Object.fromEntries(Object.entries(reply.headers).filter(([name]) => name.startsWith("access-control-")));
}
