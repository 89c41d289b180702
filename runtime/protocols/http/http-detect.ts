import type { Detection } from "../../server/server-protocol.js";

/** The client connection preface of HTTP/2 (RFC 9113 §3.4): a cleartext client "with prior knowledge" starts with it. */
export const http2Preface = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", "latin1");

/** Yes once the whole preface is there, need-more while what came so far is the start of it. */
export function detectHttp2Preface(head: Buffer): Detection {
  const length = Math.min(head.length, http2Preface.length);
  if (head.compare(http2Preface, 0, length, 0, length) !== 0) return "no";
  return length === http2Preface.length ? "yes" : "need-more";
}

/** Request methods an HTTP/1.x request line may start with. */
const methods = ["GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH", "TRACE", "CONNECT"].map((m) => Buffer.from(`${m} `, "latin1"));
const httpVersion = /^[A-Z]+ \S+ HTTP\/1\.[01]\r?$/;

/**
 * An HTTP/1.x request line: a method, a space, then the target (`/…`, or `*`
 * for OPTIONS). RESP inline commands also start with a letter and may even be
 * `GET /key`, so a complete first line must end in ` HTTP/1.0` or ` HTTP/1.1`;
 * a line still arriving is taken once the method and the `/` are there.
 */
export function detectHttp1RequestLine(head: Buffer): Detection {
  let method: Buffer | undefined;
  for (const candidate of methods) {
    const length = Math.min(head.length, candidate.length);
    if (head.compare(candidate, 0, length, 0, length) !== 0) continue;
    if (length < candidate.length) return "need-more";
    method = candidate;
    break;
  }
  if (method === undefined) return "no";
  if (head.length === method.length) return "need-more";
  const target = head[method.length];
  if (target !== 0x2f && target !== 0x2a) return "no";
  const lineEnd = head.indexOf(0x0a, method.length);
  if (lineEnd < 0) return "yes";
  return httpVersion.test(head.toString("latin1", 0, lineEnd)) ? "yes" : "no";
}
