import type { OutgoingHttpHeaders } from "node:http";

/** A short plain-text answer of the HTTP layer itself (404, 405, 413, 503), before any handler. */
export function plainAnswer(status: number, text: string, extra: OutgoingHttpHeaders = {}): { headers: OutgoingHttpHeaders; body: string } {
  const body = `${text}\n`;
  return { headers: { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(body), ...extra }, body };
}

/** Splits a request target into path and query. */
export function splitTarget(target: string): { path: string; query: string } {
  const mark = target.indexOf("?");
  return mark < 0 ? { path: target, query: "" } : { path: target.slice(0, mark), query: target.slice(mark + 1) };
}
