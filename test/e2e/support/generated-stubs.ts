import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadProgram } from "../../../idl/load-program.js";
import { type GenerateOptions, generate } from "../../../generator/generate.js";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const e2eFixturesDir = path.join(repoRoot, "test/e2e/fixtures");

/**
 * The generated modules are imported at run time, so the type checker cannot
 * see their shape; tests treat them as records of exports.
 */
export type GeneratedModule = Record<string, any>;

/** Stubs generated from one fixture into `.tmp/e2e-<name>/`, inside the repo so `@rpcgen/runtime` resolves. */
export interface GeneratedStubs {
  dir: string;
  /** Imports a generated module by its path relative to `dir`, without extension (`roundtrip`). */
  load(moduleName: string): Promise<GeneratedModule>;
  /** Deletes the directory. */
  dispose(): void;
}

/**
 * Checks and generates `fixture` (a file name in test/e2e/fixtures, with its
 * includes) into a fresh `.tmp/e2e-<name>/`. Fails with every diagnostic when
 * the fixture does not check.
 */
export async function generateStubs(name: string, fixture: string, options: GenerateOptions = {}): Promise<GeneratedStubs> {
  const { program, diagnostics } = loadProgram([path.join(e2eFixturesDir, fixture)]);
  const errors = diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) {
    throw new Error(errors.map((d) => `${d.range.file}:${d.range.start.line}: ${d.message}`).join("\n"));
  }
  const files = await generate(program, options);
  const dir = path.join(repoRoot, ".tmp", `e2e-${name}`);
  rmSync(dir, { recursive: true, force: true });
  for (const file of files) {
    const target = path.join(dir, file.path);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, file.contents);
  }
  return {
    dir,
    load: (moduleName) => import(path.join(dir, `${moduleName}.ts`)) as Promise<GeneratedModule>,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}
