// Handlers that the bench serves inline or from offload threads, which load this
// module by `new URL("./offload-handlers.js", import.meta.url)`: the compiled
// file beside a compiled caller, and under tsx (as the bench runs) this .ts file.
import { createHash } from "node:crypto";

const block = Buffer.alloc(1024, 7);

/** Heavy.hash: SHA-256 of 1 KiB, over and over, for `ms` milliseconds; a CPU-bound handler. */
export function hash(ms: number): string {
  const until = performance.now() + ms;
  let digest = "";
  while (performance.now() < until) digest = createHash("sha256").update(block).digest("hex");
  return digest;
}

/** Trivial.echo: no work at all, so that offloading it measures only what offloading costs. */
export function echo(text: string): string {
  return text;
}
