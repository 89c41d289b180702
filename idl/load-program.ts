import { readFileSync } from "node:fs";
import type { Diagnostic } from "./diagnostic.js";
import type { I64Repr } from "./check/annotation-values.js";
import { checkProgram } from "./check/check-program.js";
import { DiagnosticSink } from "./check/diagnostic-sink.js";
import { loadFiles } from "./check/include-resolver.js";
import type { Program } from "./program.js";

export interface LoadProgramOptions {
  /** Directories searched, in order, for includes not found next to the including file (`-I`). */
  includeDirs?: string[];
  /**
   * Reads a file by absolute path (default: UTF-8 from disk). A missing file
   * must throw an error with `code: "ENOENT"` so the next directory is tried.
   */
  readFile?: (absPath: string) => string;
  /**
   * How generated code represents an i64 that has no `ts.type` (the CLI's
   * `--i64`, default "bigint"): with "number", i64 constants must fit exactly.
   */
  i64?: I64Repr;
}

export interface LoadProgramResult {
  program: Program;
  /** Every problem found while reading, parsing and checking, sorted by file and position. */
  diagnostics: Diagnostic[];
}

/**
 * Parses the given IDL files and everything they include, then checks the
 * whole program. Never throws on bad input: unreadable files, syntax errors
 * and semantic errors all come back as diagnostics, every one of them.
 */
export function loadProgram(paths: string[], options: LoadProgramOptions = {}): LoadProgramResult {
  const sink = new DiagnosticSink();
  const { roots, files } = loadFiles(
    paths,
    {
      includeDirs: options.includeDirs ?? [],
      readFile: options.readFile ?? ((absPath) => readFileSync(absPath, "utf8")),
    },
    sink,
  );
  const program = checkProgram(roots, files, sink, options.i64);
  return { program, diagnostics: sortDiagnostics(sink.diagnostics) };
}

function sortDiagnostics(diagnostics: Diagnostic[]): Diagnostic[] {
  return diagnostics
    .map((diagnostic, index) => ({ diagnostic, index }))
    .sort(
      (a, b) =>
        compareStrings(a.diagnostic.range.file, b.diagnostic.range.file) ||
        a.diagnostic.range.start.offset - b.diagnostic.range.start.offset ||
        a.index - b.index,
    )
    .map((entry) => entry.diagnostic);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
