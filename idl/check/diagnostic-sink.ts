import type { SourceRange } from "../ast.js";
import type { Diagnostic } from "../diagnostic.js";
import type { DiagnosticCode } from "../diagnostic-codes.js";

/** Collects diagnostics from the checker passes, in the order they are found. */
export class DiagnosticSink {
  readonly diagnostics: Diagnostic[] = [];

  error(code: DiagnosticCode, message: string, range: SourceRange): void {
    this.diagnostics.push({ severity: "error", code, message, range });
  }

  warning(code: DiagnosticCode, message: string, range: SourceRange): void {
    this.diagnostics.push({ severity: "warning", code, message, range });
  }
}

/** A zero-width range at the start of a file, for problems with the file as a whole. */
export function startOfFile(file: string): SourceRange {
  const start = { offset: 0, line: 1, column: 1 };
  return { file, start, end: start };
}
