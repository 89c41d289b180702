/**
 * Strips a `/** ... *\/` comment down to its text the way Apache Thrift does:
 * drops the markers, a leading `*` column when every line has one, common
 * indentation, trailing whitespace, and blank first/last lines.
 * Returns undefined when nothing is left.
 */
export function cleanDocComment(comment: string): string | undefined {
  const inner = comment.replace(/^\/\*\*+/, "").replace(/\*+\/$/, "");
  let lines = inner.split(/\r\n|\r|\n/).map((line) => line.replace(/\s+$/, ""));
  const first = lines[0]!.trimStart();
  let rest = lines.slice(1);

  const nonBlank = rest.filter((line) => line.trim() !== "");
  if (nonBlank.length > 0 && nonBlank.every((line) => /^\s*\*/.test(line))) {
    rest = rest.map((line) => line.replace(/^\s*\*/, ""));
  }
  const indents = rest.filter((line) => line.trim() !== "").map((line) => /^\s*/.exec(line)![0].length);
  const commonIndent = indents.length > 0 ? Math.min(...indents) : 0;
  lines = [first, ...rest.map((line) => line.slice(commonIndent).replace(/\s+$/, ""))];

  while (lines.length > 0 && lines[0]!.trim() === "") lines.shift();
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === "") lines.pop();
  return lines.length === 0 ? undefined : lines.join("\n");
}
