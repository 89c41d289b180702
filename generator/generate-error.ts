import type { SourceRange } from "../idl/ast.js";
import type { Diagnostic } from "../idl/diagnostic.js";
import type { DiagnosticCode } from "../idl/diagnostic-codes.js";

/**
 * Thrown by `generate` when the program cannot be turned into code: only for a
 * program with errors the checker reports (`loadProgram` finds them all), so
 * it matters to callers that skip them. It carries every problem found, as
 * diagnostics with the checker's codes and locations.
 */
export class GenerateError extends Error {
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map((d) => `${d.range.file}:${d.range.start.line}:${d.range.start.column}: ${d.message} [${d.code}]`).join("\n"));
  }

  override get name(): string {
    return "GenerateError";
  }
}

/** Collects generator diagnostics so that one run reports all of them. */
export class GeneratorDiagnostics {
  readonly list: Diagnostic[] = [];

  private readonly seen = new Set<string>();

  /** Records an error; the same problem reached twice (through two references) is kept once. */
  error(code: DiagnosticCode, message: string, range: SourceRange): void {
    const key = `${code}@${range.file}:${range.start.offset}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.list.push({ severity: "error", code, message, range });
  }

  /** Throws a GenerateError when anything was reported. */
  throwIfAny(): void {
    if (this.list.length > 0) throw new GenerateError(this.list);
  }
}
