import type { ProgramFile } from "../program.js";
import { checkAnnotations } from "./annotation-rules.js";
import type { I64Repr } from "./annotation-values.js";
import { checkConstValues } from "./const-values.js";
import type { DiagnosticSink } from "./diagnostic-sink.js";
import { checkEnums } from "./enum-rules.js";
import { checkFieldLists } from "./field-rules.js";
import { CheckedProgram } from "./program-model.js";
import { checkServices } from "./service-rules.js";
import { buildSymbols, type FileSymbols } from "./symbol-table.js";
import { checkTypeReferences } from "./type-resolution.js";

/**
 * Builds the program's symbol tables and runs every check over every file,
 * reporting into `sink`. `i64` is how generated code will represent i64s
 * without a `ts.type` (the `--i64` option), for checking constants. Each pass tolerates what earlier passes reported
 * (unknown names, cycles), so one run finds every problem.
 */
export function checkProgram(
  roots: readonly ProgramFile[],
  files: ReadonlyMap<string, ProgramFile>,
  sink: DiagnosticSink,
  i64: I64Repr = "bigint",
): CheckedProgram {
  const symbols = new Map<ProgramFile, FileSymbols>();
  for (const file of files.values()) symbols.set(file, buildSymbols(file, sink));
  const program = new CheckedProgram(roots, files, symbols);
  checkTypeReferences(program, sink);
  for (const file of files.values()) {
    checkEnums(file, sink);
    checkFieldLists(file, sink);
    checkAnnotations(file, sink);
  }
  checkConstValues(program, sink, i64);
  checkServices(program, sink);
  return program;
}
