/**
 * Strips a `/** ... *\/` comment down to its text the way Apache Thrift does:
 * drops the markers, a leading `*` column (when most lines have one), common
 * indentation, trailing whitespace, and blank first/last lines.
 * Returns undefined when nothing is left.
 */
export function cleanDocComment(comment: string): string | undefined {
  const inner = comment.replace(/^\/\*\*+/, "").replace(/\*+\/$/, "");
  // Most doc comments are one line: nothing to strip but the spaces around the text.
  if (!/[\r\n]/.test(inner)) return inner.trim() === "" ? undefined : inner.trim();
  // trimEnd() strips what /\s+$/ matches (white space and line terminators), without a regular expression.
  let lines = inner.split(/\r\n|\r|\n/).map((line) => line.trimEnd());
  const first = lines[0]!.trimStart();
  let rest = lines.slice(1);

  // A column of leading stars is decoration. Most lines having one is enough: a
  // line the author wrote without it must not keep a neighbour's star as text.
  const nonBlank = rest.filter((line) => line.trim() !== "");
  const starred = nonBlank.filter((line) => /^\s*\*/.test(line)).length;
  if (starred > 0 && starred * 2 > nonBlank.length) {
    // Text starts after the star and one space; a line without a star gives up as much indentation.
    const textColumn = /^\s*\* ?/.exec(nonBlank.find((line) => /^\s*\*/.test(line))!)![0].length;
    rest = rest.map((line) =>
      /^\s*\*/.test(line) ? line.replace(/^\s*\* ?/, "") : line.replace(indentUpTo(textColumn), ""),
    );
  }
  const indents = rest.filter((line) => line.trim() !== "").map((line) => /^\s*/.exec(line)![0].length);
  const commonIndent = indents.length > 0 ? Math.min(...indents) : 0;
  lines = [first, ...rest.map((line) => line.slice(commonIndent).trimEnd())];

  while (lines.length > 0 && lines[0]!.trim() === "") lines.shift();
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === "") lines.pop();
  return lines.length === 0 ? undefined : lines.join("\n");
}

/** `^\s{0,n}`, made once per n: doc comments are many, their star columns few. */
const indentPatterns = new Map<number, RegExp>();
function indentUpTo(columns: number): RegExp {
  let pattern = indentPatterns.get(columns);
  if (pattern === undefined) indentPatterns.set(columns, (pattern = new RegExp(`^\\s{0,${columns}}`)));
  return pattern;
}
