/**
 * The public API of rpcgen's IDL front end: parse one file, load and check a
 * whole program (a file and everything it includes), and print diagnostics.
 */
export type * from "./ast.js";
export { type Diagnostic, type Severity, hasErrors } from "./diagnostic.js";
export type { Program, ProgramFile, Resolved, ResolvedConstant } from "./program.js";
export { parse, type ParseResult } from "./parse.js";
export { loadProgram, type LoadProgramOptions, type LoadProgramResult } from "./load-program.js";
export {
  displayPath,
  formatDiagnostic,
  formatDiagnostics,
  formatSummary,
  toJsonReport,
  type JsonDiagnostic,
  type JsonDiagnosticReport,
  type SourceLookup,
} from "./format-diagnostic.js";
export { resolveTrueType, type TrueType } from "./check/type-resolution.js";
export { DIAGNOSTIC_CODES, type DiagnosticCode } from "./diagnostic-codes.js";
