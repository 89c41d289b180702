import type { runGeneratorBench } from "./generator-bench.js";
import type { TargetCheck } from "./target-ratios.js";

/** Issue 13's generator targets on the big IDL program: wall seconds, median of the run's repetitions. */
const limits: Record<string, number> = {
  "rpcgen <idl> -o out": 0.5,
  "rpcgen --check <idl>": 0.3,
};

export function generatorTargets(run: ReturnType<typeof runGeneratorBench>): TargetCheck[] {
  return run.rows
    .filter((row) => row.tool === "rpcgen" && limits[row.command] !== undefined)
    .map((row) => ({
      name: `generator: \`${row.command}\` on the ${Math.round(run.idlBytes / 1024)} KB IDL, median seconds`,
      ratio: row.medianMs === undefined ? undefined : row.medianMs / 1000,
      want: limits[row.command]!,
      kind: "at most" as const,
    }));
}
