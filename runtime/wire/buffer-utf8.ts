/**
 * Node's Buffer has unvalidated UTF-8 primitives (`utf8Write`, `utf8Slice`) under
 * the public `write`/`toString`, which spend most of their time on argument
 * checks for the short strings of a frame header. They are not in @types/node,
 * so they are reached through this narrow view, with the public methods as the
 * fallback on a runtime without them.
 */
interface BufferWithUtf8 extends Buffer {
  utf8Write?(text: string, offset: number): number;
  utf8Slice?(start: number, end: number): string;
}

const probe = Buffer.alloc(0) as BufferWithUtf8;
const hasUtf8Write = typeof probe.utf8Write === "function";
const hasUtf8Slice = typeof probe.utf8Slice === "function";

/** Writes `text` at `offset`; the caller has sized the buffer. Returns the bytes written. */
export function writeUtf8(buf: Buffer, text: string, offset: number): number {
  return hasUtf8Write ? (buf as BufferWithUtf8).utf8Write!(text, offset) : buf.write(text, offset, "utf8");
}

/** Decodes `buf[start, end)` as UTF-8; the caller has checked the bounds. */
export function readUtf8(buf: Buffer, start: number, end: number): string {
  return hasUtf8Slice ? (buf as BufferWithUtf8).utf8Slice!(start, end) : buf.toString("utf8", start, end);
}
