import type { IncomingHttpHeaders } from "node:http";
import { splitTarget } from "./respond-plain.js";

/** Only this much of a head is looked at: request heads are small, and a refusal is no time to read more. */
const maxHeadBytes = 8 * 1024;
const requestLine = /^([A-Z]+) (\S+) HTTP\/1\.[01]$/;

/**
 * The method, path and headers of the HTTP/1.1 request `bytes` start with, if
 * its whole head (up to the empty line) is there; for naming a request the
 * server refuses without handing it to node:http. Header names in lower case,
 * a repeated header's last value wins (only the content type, the origin and
 * traceparent are read).
 */
export function parseRequestHead(bytes: Buffer): { method: string; path: string; headers: IncomingHttpHeaders } | undefined {
  const head = bytes.subarray(0, maxHeadBytes);
  const end = head.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const lines = head.toString("latin1", 0, end).split("\r\n");
  const line = requestLine.exec(lines[0]!);
  if (line === null) return undefined;
  const headers = Object.create(null) as IncomingHttpHeaders;
  for (let i = 1; i < lines.length; i++) {
    const colon = lines[i]!.indexOf(":");
    if (colon > 0) headers[lines[i]!.slice(0, colon).trim().toLowerCase()] = lines[i]!.slice(colon + 1).trim();
  }
  return { method: line[1]!, path: splitTarget(line[2]!).path, headers };
}
