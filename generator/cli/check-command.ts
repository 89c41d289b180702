import path from "node:path";
import type { Diagnostic } from "../../idl/diagnostic.js";
import { formatDiagnostics, formatSummary, toJsonReport } from "../../idl/format-diagnostic.js";
import { loadProgram } from "../../idl/load-program.js";
import type { Program } from "../../idl/program.js";
import type { CliIo } from "./cli-io.js";
import type { CliOptions } from "./cli-options.js";
import { EXIT_IDL_ERRORS, EXIT_USAGE } from "./exit-codes.js";

/** A loaded program and, when the run must stop here, the exit code to stop with. */
export interface CheckOutcome {
  readonly program: Program;
  readonly diagnostics: readonly Diagnostic[];
  /** Set when there are errors: 1 for errors in the IDL, 2 when a root file could not be read. */
  readonly exitCode: number | undefined;
}

/**
 * Loads and checks the IDL files named on the command line and prints every
 * diagnostic: text with source lines and carets on stderr, or one JSON object
 * on stdout with `--json`.
 */
export function runCheck(options: CliOptions, io: CliIo): CheckOutcome {
  const roots = options.files.map((file) => path.resolve(io.cwd, file));
  const includeDirs = options.includeDirs.map((dir) => path.resolve(io.cwd, dir));
  const { program, diagnostics } = loadProgram(roots, { includeDirs, i64: options.i64 });
  reportDiagnostics(diagnostics, program, options.json, io);
  const rootSet = new Set(roots);
  const unreadableRoot = diagnostics.some((d) => d.code === "E_READ_FILE" && rootSet.has(d.range.file));
  const hasError = diagnostics.some((d) => d.severity === "error");
  const exitCode = unreadableRoot ? EXIT_USAGE : hasError ? EXIT_IDL_ERRORS : undefined;
  return { program, diagnostics, exitCode };
}

/** Prints diagnostics the CLI way: text with source lines and carets on stderr, or one JSON object on stdout. */
export function reportDiagnostics(
  diagnostics: readonly Diagnostic[],
  program: Program,
  json: boolean,
  io: CliIo,
): void {
  if (json) {
    io.stdout(`${JSON.stringify(toJsonReport(diagnostics, io.cwd), null, 2)}\n`);
  } else if (diagnostics.length > 0) {
    const sourceOf = (file: string) => program.files.get(file)?.source;
    io.stderr(formatDiagnostics(diagnostics, sourceOf, io.cwd));
    io.stderr(`rpcgen: ${formatSummary(diagnostics)}\n`);
  }
}
