import path from "node:path";
import type { Node } from "../ast.js";

/**
 * `file.thrift:12`, for pointing at a second location inside a message
 * (the diagnostic's own range carries the full path). Independent of the
 * working directory so messages are stable.
 */
export function where(node: Node): string {
  return `${path.basename(node.range.file)}:${node.range.start.line}`;
}
