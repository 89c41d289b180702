import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixturesDir, generateFrom, repoRoot, scratchDir, writeGenerated } from "./support/generated-dir.js";

// `--erasable` output is meant to run under Node's type stripping. Node 20 has no
// --experimental-strip-types (it came in 22.6): there the module runs through tsx,
// whose esbuild strips the same types, and typecheck-and-protoc.test.ts proves with
// tsc --erasableSyntaxOnly that nothing but erasable syntax is used.
const stripTypes = process.allowedNodeEnvironmentFlags.has("--experimental-strip-types");

const scratch = scratchDir("erasable");
afterAll(() => scratch.dispose());

beforeAll(async () => {
  const roots = ["everything.thrift", "keywords.thrift"].map((f) => path.join(fixturesDir, f));
  writeGenerated(scratch.dir, await generateFrom(roots, { erasable: true }));
}, 120_000);

/** Runs a TypeScript module of the scratch directory and returns what it printed. */
function runModule(source: string): { status: number | null; output: string } {
  const file = path.join(scratch.dir, "main.ts");
  writeFileSync(file, source);
  const args = stripTypes
    ? ["--experimental-strip-types", file]
    : ["--import", "tsx", file];
  // Under tsx, `@rpcgen/runtime` resolves to the runtime's sources (tsconfig paths); under
  // type stripping, to the package's built output.
  writeFileSync(
    path.join(scratch.dir, "tsconfig.json"),
    JSON.stringify({ compilerOptions: { paths: { "@rpcgen/runtime": [path.join(repoRoot, "runtime/index.ts")] } } }),
  );
  const result = spawnSync(process.execPath, args, { cwd: scratch.dir, encoding: "utf8", timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe("--erasable output", () => {
  it("runs as TypeScript with its types stripped: const-object enums, .ts imports, descriptors", () => {
    const run = runModule(
      [
        'import { Operation, OperationDescriptor, createWork, DivideByZero, CalculatorService } from "./everything.ts";',
        "const work = createWork({ num2: 2 });",
        "console.log(JSON.stringify({",
        "  add: Operation.ADD,",
        "  values: OperationDescriptor.values,",
        "  op: work.op,",
        "  message: new DivideByZero({ message: 'no', dividend: 1 }).message,",
        "  inherited: CalculatorService.methods['getStruct']!.fullName,",
        "}));",
      ].join("\n"),
    );
    expect(run.output).toBe(
      `${JSON.stringify({
        add: 1,
        values: { ADD: 1, SUBTRACT: 2, MULTIPLY: 10, DIVIDE: 11, LEGACY: -3 },
        op: 1,
        message: "no",
        inherited: "Calculator.getStruct",
      })}\n`,
    );
    expect(run.status).toBe(0);
  }, 60_000);
});
