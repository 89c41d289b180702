import type { Annotation, FunctionDef } from "../../idl/ast.js";
import { badValueMessage, readRpcHint, type RpcHint } from "../../idl/check/annotation-values.js";
import { E_GEN_RPC_ANNOTATION } from "../../idl/diagnostic-codes.js";
import type { MethodHints } from "@rpcgen/runtime/internal/descriptor.js";
import type { GeneratorDiagnostics } from "../generate-error.js";

/**
 * Parses the `rpc.*` annotations of `method` into MethodHints, by the rules of
 * idl/check/annotation-values.ts. `serviceLevels` are the annotations of the
 * service the method is called through, then of its ancestors (nearest first):
 * each key is taken from the first level that sets it, the method's own
 * annotations winning over all of them. A service-level `rpc.routekey` only
 * applies to methods that have an argument of that name.
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
    for (const annotation of annotations) {
      const reading = readRpcHint(annotation, argNames);
      if (reading === undefined) continue;
      if (reading.ok) {
        setOnce(hints, reading.value);
      } else if (index === 0 || annotation.key !== "rpc.routekey") {
        // The checker reported this already; a program loaded without checking gets it here.
        diagnostics.error(E_GEN_RPC_ANNOTATION, badValueMessage(annotation, reading.expected), annotation.range);
      }
    }
  }
  return hints;
}

/** Sets a hint unless a nearer level set it already. */
function setOnce(hints: { -readonly [K in keyof MethodHints]: MethodHints[K] }, hint: RpcHint): void {
  if (hints[hint.key] === undefined) (hints as Record<string, unknown>)[hint.key] = hint.value;
}
