import path from "node:path";
import type { Diagnostic } from "./diagnostic.js";

/** Looks up the text of a file by absolute path, for showing the offending line. */
export type SourceLookup = (file: string) => string | undefined;

/** One diagnostic in the `--json` report. Lines and columns are 1-based; the end is exclusive. */
export interface JsonDiagnostic {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  severity: Diagnostic["severity"];
  code: string;
  message: string;
}

/** The object `rpcgen --json` prints. */
export interface JsonDiagnosticReport {
  diagnostics: JsonDiagnostic[];
  errorCount: number;
  warningCount: number;
}

/** The path to print: relative to `cwd` when the file is inside it, else absolute. */
export function displayPath(file: string, cwd: string = process.cwd()): string {
  const absolute = path.resolve(cwd, file);
  const relative = path.relative(cwd, absolute);
  const inside = relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative);
  return inside ? relative : absolute;
}

/**
 * Formats one diagnostic as `path:line:col: error: message [CODE]`, followed,
 * when the source is known, by the source line and a caret under the range
 * (`^~~~` over the part of the range on that line). No trailing newline.
 */
export function formatDiagnostic(diagnostic: Diagnostic, source: string | undefined, cwd?: string): string {
  const { range } = diagnostic;
  const header =
    `${displayPath(range.file, cwd)}:${range.start.line}:${range.start.column}: ` +
    `${diagnostic.severity}: ${diagnostic.message} [${diagnostic.code}]`;
  const line = source === undefined ? undefined : sourceLine(source, range.start.line);
  if (line === undefined) return header;
  return `${header}\n${line}\n${caretLine(line, diagnostic)}`;
}

/** Formats every diagnostic, separated by newlines, with a final newline when there are any. */
export function formatDiagnostics(diagnostics: readonly Diagnostic[], sourceOf: SourceLookup, cwd?: string): string {
  return diagnostics.map((d) => `${formatDiagnostic(d, sourceOf(d.range.file), cwd)}\n`).join("");
}

/** `2 errors, 1 warning`. */
export function formatSummary(diagnostics: readonly Diagnostic[]): string {
  const { errorCount, warningCount } = countBySeverity(diagnostics);
  return `${plural(errorCount, "error")}, ${plural(warningCount, "warning")}`;
}

/** The `--json` report, with paths shown as in the text output. */
export function toJsonReport(diagnostics: readonly Diagnostic[], cwd?: string): JsonDiagnosticReport {
  return {
    diagnostics: diagnostics.map((d) => ({
      file: displayPath(d.range.file, cwd),
      line: d.range.start.line,
      column: d.range.start.column,
      endLine: d.range.end.line,
      endColumn: d.range.end.column,
      severity: d.severity,
      code: d.code,
      message: d.message,
    })),
    ...countBySeverity(diagnostics),
  };
}

function countBySeverity(diagnostics: readonly Diagnostic[]): { errorCount: number; warningCount: number } {
  const errorCount = diagnostics.filter((d) => d.severity === "error").length;
  return { errorCount, warningCount: diagnostics.length - errorCount };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

/** The last source split into lines: diagnostics of one file come together, so one entry is enough. */
let splitCache: { source: string; lines: string[] } | undefined;

/** Line `lineNumber` (1-based) of `source`; lines end at `\n`, `\r\n` or `\r`, as the parser counts them. */
function sourceLine(source: string, lineNumber: number): string | undefined {
  if (splitCache?.source !== source) splitCache = { source, lines: source.split(/\r\n|\r|\n/) };
  return splitCache.lines[lineNumber - 1];
}

function caretLine(line: string, diagnostic: Diagnostic): string {
  const { start, end } = diagnostic.range;
  const startIndex = Math.min(start.column - 1, line.length);
  // Keep tabs so the caret lines up with the source line in any terminal.
  const indent = line.slice(0, startIndex).replace(/[^\t]/g, " ");
  const endIndex = end.line === start.line ? Math.min(end.column - 1, line.length) : line.length;
  const width = Math.max(1, endIndex - startIndex);
  return `${indent}^${"~".repeat(width - 1)}`;
}
