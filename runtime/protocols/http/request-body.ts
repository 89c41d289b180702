import type { Readable } from "node:stream";
import type { MemoryBudget } from "../../server/memory-budget.js";

/** An unfinished body at least this large is dropped first when the server's input budget is spent. */
const largeInputBytes = 64 * 1024;

/** Why a body could not be read: larger than allowed, dropped to save the server's memory, or the client went away. */
export type BodyFailure = "too-large" | "over-budget" | "aborted";

/**
 * Reads a whole request body of at most `maxBytes`, counting what it holds
 * against the server's input budget while it arrives (like a half-read frame).
 * A declared Content-Length over the limit fails before a byte is read.
 */
export function readRequestBody(
  source: Readable,
  declaredLength: number | undefined,
  maxBytes: number,
  budget: MemoryBudget,
  done: (failure: BodyFailure | undefined, body: Buffer) => void,
): void {
  if (declaredLength !== undefined && declaredLength > maxBytes) {
    done("too-large", emptyBody);
    return;
  }
  const chunks: Buffer[] = [];
  let held = 0;
  let reported = 0;
  let settled = false;
  const finish = (failure: BodyFailure | undefined): void => {
    if (settled) return;
    settled = true;
    source.off("data", onData);
    source.off("end", onEnd);
    source.off("close", onClose);
    reported = budget.update(reported, 0);
    done(failure, failure === undefined ? (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, held)) : emptyBody);
  };
  const onData = (chunk: Buffer): void => {
    held += chunk.length;
    if (held > maxBytes) return finish("too-large");
    chunks.push(chunk);
    reported = budget.update(reported, held);
    if (budget.exceeded && held >= largeInputBytes) finish("over-budget");
  };
  const onEnd = (): void => finish(undefined);
  const onClose = (): void => finish("aborted");
  source.on("data", onData);
  source.on("end", onEnd);
  source.on("close", onClose);
}

const emptyBody = Buffer.alloc(0);

/** The Content-Length header as a number, or undefined when absent or not a plain decimal. */
export function declaredLength(header: string | undefined): number | undefined {
  if (header === undefined || !/^\d{1,15}$/.test(header)) return undefined;
  return Number(header);
}
