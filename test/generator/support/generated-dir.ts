import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loadProgram } from "../../../idl/load-program.js";
import type { Program } from "../../../idl/program.js";
import { type GenerateOptions, type GeneratedFile, generate } from "../../../generator/generate.js";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const fixturesDir = path.join(repoRoot, "test/generator/fixtures");
export const goldenDir = path.join(repoRoot, "test/generator/golden");
// The shared corpus sits beside the checkout (../shared), in development and in CI alike.
export const corpusDir = path.resolve(repoRoot, "../shared/corpus/thrift");

/** Loads IDL files and fails the test with the diagnostics if any is an error. */
export function loadOrFail(files: string[]): Program {
  const { program, diagnostics } = loadProgram(files);
  const errors = diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0) {
    throw new Error(errors.map((d) => `${d.range.file}:${d.range.start.line}: ${d.message}`).join("\n"));
  }
  return program;
}

/** Generates `files` (absolute IDL paths) with `options`. */
export async function generateFrom(files: string[], options: GenerateOptions = {}): Promise<GeneratedFile[]> {
  return generate(loadOrFail(files), options);
}

/**
 * A fresh directory inside the repository (under the git-ignored `.tmp/`), so
 * that vitest's `@rpcgen/runtime` alias and module resolution apply to what is
 * written there. Removed by `dispose`.
 */
export function scratchDir(label: string): { dir: string; dispose: () => void } {
  const parent = path.join(repoRoot, ".tmp");
  mkdirSync(parent, { recursive: true });
  const dir = mkdtempSync(path.join(parent, `generator-${label}-`));
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

export function writeGenerated(dir: string, files: readonly GeneratedFile[]): void {
  for (const file of files) {
    const target = path.join(dir, file.path);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, file.contents);
  }
}

/**
 * The settings of the strictest tsconfig a user may have (issue 13): generated
 * code must compile under them, without skipLibCheck.
 */
export const strictestCompilerOptions = {
  strict: true,
  exactOptionalPropertyTypes: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  noImplicitOverride: true,
  noUncheckedIndexedAccess: true,
  verbatimModuleSyntax: true,
  isolatedModules: true,
  skipLibCheck: false,
};

const declarationsByDir = new Map<string, string>();

/**
 * The runtime's type declarations, as an app's tsc sees the package: emitted
 * from the sources into `dir/.runtime-dts` once per directory (the test's
 * scratch directory, which its test removes). Returns index.d.ts.
 */
export function runtimeDeclarations(dir: string): string {
  const known = declarationsByDir.get(dir);
  if (known !== undefined) return known;
  const outDir = path.join(dir, ".runtime-dts");
  const result = spawnSync(
    path.join(repoRoot, "node_modules/.bin/tsc"),
    ["-p", path.join(repoRoot, "runtime/tsconfig.json"), "--emitDeclarationOnly", "--outDir", outDir],
    { encoding: "utf8", timeout: 240_000 },
  );
  const declarations = path.join(outDir, "index.d.ts");
  if (!existsSync(declarations)) throw new Error(`the runtime's declarations were not emitted:\n${result.stdout}${result.stderr}`);
  declarationsByDir.set(dir, declarations);
  return declarations;
}

/**
 * Runs tsc over every `.ts` file in `dir` with the strictest settings, with
 * `@rpcgen/runtime` resolved to the runtime's declarations (emitted into
 * `declarationsIn`, by default `dir`). `erasable` checks `--erasable` output:
 * erasableSyntaxOnly, and relative imports ending in `.ts`.
 */
export function typeCheck(
  dir: string,
  options: { erasable?: boolean; declarationsIn?: string } = {},
): { status: number | null; output: string } {
  const erasable = options.erasable === true ? { erasableSyntaxOnly: true, allowImportingTsExtensions: true } : {};
  const tsconfig = {
    compilerOptions: {
      target: "ES2022",
      lib: ["ES2022"],
      module: "NodeNext",
      moduleResolution: "NodeNext",
      noEmit: true,
      ...strictestCompilerOptions,
      ...erasable,
      types: ["node"],
      typeRoots: [path.join(repoRoot, "node_modules/@types")],
      paths: { "@rpcgen/runtime": [runtimeDeclarations(options.declarationsIn ?? dir)] },
    },
    include: ["**/*.ts"],
    // The declarations are reached through `paths`; the generated code is what is listed.
    exclude: [".runtime-dts"],
  };
  writeFileSync(path.join(dir, "tsconfig.json"), JSON.stringify(tsconfig, null, 2));
  const result = spawnSync(path.join(repoRoot, "node_modules/.bin/tsc"), ["-p", dir], { encoding: "utf8", timeout: 120_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Runs `protoc` on one generated `.proto` (path relative to `dir`). */
export function protoc(dir: string, file: string): { status: number | null; output: string } {
  const result = spawnSync("protoc", ["-I", dir, "--descriptor_set_out=/dev/null", file], { encoding: "utf8", timeout: 60_000 });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}
