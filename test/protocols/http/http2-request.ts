import { once } from "node:events";
import type { IncomingHttpHeaders } from "node:http";
import { connect, type IncomingHttpStatusHeader } from "node:http2";
import type { CurlReply, CurlRequest } from "./curl.js";

/**
 * One request over HTTP/2 (h2c) made by node:http2 (nghttp2), for the answers
 * curl 7.x drops: a response the server sends before the request's body is all
 * read, then RST_STREAM NO_ERROR, which RFC 9113 §8.1 tells clients to keep.
 * The reply has curl's shape; the session is closed before it resolves.
 */
export async function http2Request(url: string, request: Omit<CurlRequest, "http2">): Promise<CurlReply> {
  const target = new URL(url);
  const session = connect(target.origin);
  try {
    await once(session, "connect");
    const stream = session.request({ ":method": request.method, ":path": target.pathname, ...request.headers });
    const chunks: Buffer[] = [];
    stream.on("data", (chunk: Buffer) => chunks.push(chunk));
    const answered = new Promise<IncomingHttpHeaders & IncomingHttpStatusHeader>((resolve, reject) => {
      let head: (IncomingHttpHeaders & IncomingHttpStatusHeader) | undefined;
      stream.once("response", (headers) => (head = headers));
      stream.once("error", reject);
      stream.once("close", () => (head === undefined ? reject(new Error("the stream closed without a response")) : resolve(head)));
    });
    stream.end(request.body ?? "");
    const head = await answered;
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(head)) {
      if (!name.startsWith(":")) headers[name] = Array.isArray(value) ? value.join(", ") : String(value);
    }
    return { status: Number(head[":status"]), httpVersion: "HTTP/2", headers, body: Buffer.concat(chunks) };
  } finally {
    await new Promise<void>((resolve) => session.close(() => resolve()));
  }
}
