import type { SourceRange } from "../idl/ast.js";
import type { Diagnostic } from "../idl/diagnostic.js";

/** Stable codes of the problems only the generator can find (the checker finds the rest). */
export const GeneratorCodes = {
  /** `ts.type` is not one of bigint, number, string. */
  badTsType: "E_GEN_TS_TYPE",
  /** An i64 constant cannot be represented exactly in the requested JS representation. */
  inexactConstant: "E_GEN_INEXACT_CONST",
  /** An `rpc.*` annotation has a value the runtime cannot use. */
  badRpcAnnotation: "E_GEN_RPC_ANNOTATION",
  /** A constant value does not fit its declared type (normally caught by the checker). */
  badConstant: "E_GEN_CONST_VALUE",
  /** A name did not resolve (normally caught by the checker). */
  unresolved: "E_GEN_UNRESOLVED",
} as const;

/**
 * Thrown by `generate` when the program cannot be turned into code. It carries
 * every problem found, as diagnostics with locations, like the checker's.
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
  error(code: string, message: string, range: SourceRange): void {
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
