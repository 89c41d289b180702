import type { SourceRange } from "./ast.js";
import type { DiagnosticCode } from "./diagnostic-codes.js";

export type Severity = "error" | "warning";

/**
 * One problem found in an IDL file. Parsing and checking never throw on bad
 * input: they return every diagnostic they found, each with its location.
 * `code` is stable across releases (see docs/DIAGNOSTICS.md).
 */
export interface Diagnostic {
  severity: Severity;
  /** Stable code such as `E_UNKNOWN_TYPE`; documented in docs/DIAGNOSTICS.md. */
  code: DiagnosticCode;
  message: string;
  range: SourceRange;
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}
