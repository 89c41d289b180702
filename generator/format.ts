import type * as Prettier from "prettier";
import { NEEDS_PRETTIER } from "./layout/needs-prettier.js";
import { PRINT_WIDTH } from "./layout/print-doc.js";

/**
 * Fixed prettier options, never read from the user's config files, so that
 * output is byte-identical whatever directory rpcgen runs in.
 */
const options: Prettier.Options = {
  parser: "typescript",
  printWidth: PRINT_WIDTH,
  tabWidth: 2,
  useTabs: false,
  semi: true,
  singleQuote: false,
  trailingComma: "all",
  bracketSpacing: true,
  arrowParens: "always",
  endOfLine: "lf",
  quoteProps: "preserve",
};

/** prettier is loaded on first use: most runs never need it. */
let prettier: Promise<typeof Prettier> | undefined;

/**
 * Formats generated TypeScript with prettier, the formatter of record. A
 * syntax error here means a template produced broken code.
 */
export async function formatTypeScript(code: string, fileName: string): Promise<string> {
  prettier ??= import("prettier");
  try {
    return await (await prettier).format(code.replaceAll(NEEDS_PRETTIER, ""), { ...options, filepath: fileName });
  } catch (error) {
    throw new Error(`rpcgen produced invalid TypeScript for ${fileName}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Formats code rendered by rpcgen's own templates, which already lay out
 * nearly everything as prettier would (see layout/). prettier formats only
 * the top-level declarations the templates could not vouch for: those holding
 * a line wider than the print width, a non-ASCII character outside comments
 * (prettier measures those by display width), or text marked NEEDS_PRETTIER.
 * Declarations are formatted one by one, which gives the same result as the
 * whole file, since prettier lays out top-level statements independently.
 */
export async function formatRendered(code: string, fileName: string): Promise<string> {
  const tidy = collapseBlankLines(code);
  if (isSettled(tidy)) return `${tidy.trimEnd()}\n`;
  const chunks = tidy.split(/\n\n(?=\S)/);
  const formatted = await Promise.all(
    chunks.map(async (chunk) => (isSettled(chunk) ? chunk : (await formatTypeScript(chunk, fileName)).trimEnd())),
  );
  return `${formatted.join("\n\n").trimEnd()}\n`;
}

/** Whether a declaration as rendered is already what prettier would print. */
function isSettled(chunk: string): boolean {
  if (chunk.includes(NEEDS_PRETTIER)) return false;
  // One native scan for non-ASCII text, then a walk over the lines that needs to look only at long ones.
  const nonAscii = /[^\x00-\x7f]/.test(chunk);
  for (let start = 0; start < chunk.length; ) {
    const newline = chunk.indexOf("\n", start);
    const end = newline === -1 ? chunk.length : newline;
    if (end - start > PRINT_WIDTH || nonAscii) {
      const line = chunk.slice(start, end);
      if (!isComment(line) && (line.length > PRINT_WIDTH || /[^\x00-\x7f]/.test(line))) return false;
    }
    start = end + 1;
  }
  return true;
}

/** A line of a comment, which prettier never re-wraps. */
function isComment(line: string): boolean {
  return /^\s*(?:\/\/|\/\*|\*)/.test(line);
}

/** At most one blank line in a row, none at the end, as prettier leaves code. */
function collapseBlankLines(code: string): string {
  return code.includes("\n\n\n") ? code.replace(/\n{3,}/g, "\n\n") : code;
}
