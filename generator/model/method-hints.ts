import type { Annotation, FunctionDef } from "../../idl/ast.js";
import type { MethodHints, Policy } from "../../runtime/descriptor.js";
import { GeneratorCodes, type GeneratorDiagnostics } from "../generate-error.js";

const policies: readonly Policy[] = ["failfast", "failtry", "failover", "failsafe", "forking"];

/**
 * Parses the `rpc.*` annotations of `method` into MethodHints. `serviceLevels`
 * are the annotations of the service the method is called through, then of its
 * ancestors (nearest first): each key is taken from the first level that sets
 * it, the method's own annotations winning over all of them. A service-level
 * `rpc.routekey` only applies to methods that have an argument of that name.
 */
export function methodHints(
  method: FunctionDef,
  serviceLevels: readonly (readonly Annotation[])[],
  diagnostics: GeneratorDiagnostics,
): MethodHints {
  const hints: { -readonly [K in keyof MethodHints]: MethodHints[K] } = {};
  const argNames = new Set(method.params.map((p) => p.name.name));
  const levels = [method.annotations, ...serviceLevels];
  for (const [index, annotations] of levels.entries()) {
    const isMethodLevel = index === 0;
    for (const annotation of annotations) {
      const value = annotation.value;
      switch (annotation.key) {
        case "rpc.timeout":
          hints.timeoutMs ??= parseNumber(annotation, diagnostics, "a positive number of milliseconds", (n) => n > 0);
          break;
        case "rpc.retries":
          hints.retries ??= parseNumber(annotation, diagnostics, "a non-negative integer", (n) => Number.isInteger(n) && n >= 0);
          break;
        case "rpc.idempotent":
          if (hints.idempotent !== undefined) break;
          if (value === undefined || value === "true") hints.idempotent = true;
          else if (value === "false") hints.idempotent = false;
          else bad(annotation, diagnostics, `"true" or "false"`);
          break;
        case "rpc.policy":
          if (hints.policy !== undefined) break;
          if (policies.includes(value as Policy)) hints.policy = value as Policy;
          else bad(annotation, diagnostics, `one of ${policies.join(", ")}`);
          break;
        case "rpc.routekey":
          if (hints.routeKey !== undefined) break;
          if (value !== undefined && argNames.has(value)) hints.routeKey = value;
          else if (isMethodLevel) bad(annotation, diagnostics, `the name of one of the method's arguments`);
          break;
      }
    }
  }
  return hints;
}

function parseNumber(
  annotation: Annotation,
  diagnostics: GeneratorDiagnostics,
  expected: string,
  valid: (n: number) => boolean,
): number | undefined {
  const text = annotation.value ?? "";
  const n = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (valid(n)) return n;
  bad(annotation, diagnostics, expected);
  return undefined;
}

function bad(annotation: Annotation, diagnostics: GeneratorDiagnostics, expected: string): void {
  diagnostics.error(
    GeneratorCodes.badRpcAnnotation,
    `${annotation.key} must be ${expected}, not ${JSON.stringify(annotation.value ?? "")}`,
    annotation.range,
  );
}
