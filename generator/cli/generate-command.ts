import path from "node:path";
import type { Diagnostic } from "../../idl/diagnostic.js";
import { loadProgram } from "../../idl/load-program.js";
import type { Program } from "../../idl/program.js";
import type { I64Representation } from "@rpcgen/runtime/internal/descriptor.js";
import { GenerateError, type GeneratedFile, generate } from "../generate.js";
import { OutputPaths } from "../output-paths.js";
import { TemplateError } from "../template-set.js";
import { reportDiagnostics } from "./check-command.js";
import type { CliIo } from "./cli-io.js";
import { EXIT_IDL_ERRORS, EXIT_OK, EXIT_USAGE } from "./exit-codes.js";
import { InputWatcher } from "./watch-inputs.js";
import { staleOutputs, writeOutputs } from "./write-outputs.js";

/** What the `rpcgen` command line asks the generator to do. */
export interface GenerateCommandOptions {
  readonly files: readonly string[];
  /** Output directory; by default the directory holding the IDL files, so `x.ts` lands next to `x.thrift`. */
  readonly outDir: string | undefined;
  readonly includeDirs: readonly string[];
  readonly json: boolean;
  readonly watch: boolean;
  readonly templatesDir: string | undefined;
  readonly skeleton: boolean;
  /** Where skeletons go; by default beside the output directory (see skeletonDirOf). */
  readonly skeletonOut?: string | undefined;
  /** Erasable syntax only (GenerateOptions.erasable). */
  readonly erasable?: boolean;
  readonly verify: boolean;
  readonly i64: I64Representation;
  /** Ends `--watch` (tests); without it, watching ends on SIGINT. */
  readonly signal?: AbortSignal;
}

/**
 * Runs code generation for the CLI and returns the exit code: 0 done, 1 errors
 * in the IDL (or, with `--verify`, files out of date), 2 a bad templates
 * directory. `checked` is the program the CLI has already loaded and whose
 * diagnostics it has printed; without it the files are loaded here.
 */
export async function runGenerateCommand(
  options: GenerateCommandOptions,
  io: CliIo,
  checked?: { readonly program: Program; readonly diagnostics: readonly Diagnostic[] },
): Promise<number> {
  const first = checked ?? load(options, io);
  const code = await generateOnce(options, io, first.program, first.diagnostics);
  if (!options.watch || options.verify) return code;
  return watchLoop(options, io, first.program);
}

function load(options: GenerateCommandOptions, io: CliIo): { program: Program; diagnostics: Diagnostic[] } {
  const roots = options.files.map((file) => path.resolve(io.cwd, file));
  const includeDirs = options.includeDirs.map((dir) => path.resolve(io.cwd, dir));
  const loaded = loadProgram(roots, { includeDirs, i64: options.i64 });
  printDiagnostics(loaded.diagnostics, loaded.program, options, io);
  return loaded;
}

function printDiagnostics(diagnostics: readonly Diagnostic[], program: Program, options: GenerateCommandOptions, io: CliIo): void {
  reportDiagnostics(diagnostics, program, options.json, io);
}

async function generateOnce(
  options: GenerateCommandOptions,
  io: CliIo,
  program: Program,
  diagnostics: readonly Diagnostic[],
): Promise<number> {
  if (diagnostics.some((d) => d.severity === "error")) return EXIT_IDL_ERRORS;
  const outDir = path.resolve(io.cwd, options.outDir ?? new OutputPaths(program).baseDir);
  const skeletonDir = skeletonDirOf(options, outDir, io.cwd);
  let files: GeneratedFile[];
  try {
    files = await generate(program, {
      i64: options.i64,
      erasable: options.erasable === true,
      skeleton: options.skeleton,
      skeletonDir: path.relative(outDir, skeletonDir).split(path.sep).join("/") || ".",
      outDir,
      ...(options.templatesDir === undefined ? {} : { templatesDir: path.resolve(io.cwd, options.templatesDir) }),
    });
  } catch (error) {
    if (error instanceof GenerateError) {
      printDiagnostics(error.diagnostics, program, options, io);
      return EXIT_IDL_ERRORS;
    }
    if (error instanceof TemplateError) {
      io.stderr(`rpcgen: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
  const show = (file: string) => path.relative(io.cwd, file) || file;
  if (options.verify) {
    const stale = await staleOutputs(outDir, files);
    for (const file of stale) io.stderr(`rpcgen: out of date: ${show(file)}\n`);
    if (stale.length > 0) io.stderr(`rpcgen: ${stale.length} generated file(s) differ from what rpcgen would write; run rpcgen without --verify\n`);
    return stale.length > 0 ? EXIT_IDL_ERRORS : EXIT_OK;
  }
  const report = await writeOutputs(outDir, files);
  if (!options.json) {
    for (const file of report.written) io.stdout(`wrote ${show(file)}\n`);
    for (const file of report.kept) io.stdout(`kept ${show(file)} (exists; skeletons are never overwritten)\n`);
  }
  return EXIT_OK;
}

/**
 * Where the skeletons go. They are the user's code, so not into the folder of
 * generated files: `--skeleton-out` if given, else the parent of the `-o`
 * directory when that lies inside the working directory (`-o src/gen` gives
 * `src/`), else the output directory itself (without `-o` that is the IDL's
 * own directory, already the user's).
 */
function skeletonDirOf(options: GenerateCommandOptions, outDir: string, cwd: string): string {
  if (options.skeletonOut !== undefined) return path.resolve(cwd, options.skeletonOut);
  const inside = path.relative(cwd, outDir);
  const strictlyInside = inside !== "" && !inside.startsWith("..") && !path.isAbsolute(inside);
  return options.outDir !== undefined && strictlyInside ? path.dirname(outDir) : outDir;
}

/** Regenerates on every change of an input file until the signal (or SIGINT) ends the watch. */
async function watchLoop(options: GenerateCommandOptions, io: CliIo, program: Program): Promise<number> {
  const interrupt = options.signal === undefined ? sigint() : undefined;
  const stop = options.signal ?? interrupt!.signal;
  try {
    if (!stop.aborted) await watchUntil(stop, options, io, program);
  } finally {
    interrupt?.dispose();
  }
  return EXIT_OK;
}

async function watchUntil(stop: AbortSignal, options: GenerateCommandOptions, io: CliIo, program: Program): Promise<void> {
  let running = Promise.resolve();
  const watcher = new InputWatcher((changed) => {
    running = running.then(async () => {
      if (stop.aborted) return;
      io.stderr(`rpcgen: ${path.relative(io.cwd, changed) || changed} changed, regenerating\n`);
      const loaded = load(options, io);
      watcher.update([...inputsOf(options, io), ...loaded.program.files.keys()]);
      try {
        await generateOnce(options, io, loaded.program, loaded.diagnostics);
      } catch (error) {
        io.stderr(`rpcgen: generation failed: ${error instanceof Error ? error.message : String(error)}\n`);
      }
    });
  });
  watcher.update([...inputsOf(options, io), ...program.files.keys()]);
  // Said once the files are watched: a change made after this line is seen.
  io.stderr("rpcgen: watching for changes (Ctrl-C to stop)\n");
  await new Promise<void>((resolve) => stop.addEventListener("abort", () => resolve(), { once: true }));
  watcher.close();
  await running;
}

function inputsOf(options: GenerateCommandOptions, io: CliIo): string[] {
  return options.files.map((file) => path.resolve(io.cwd, file));
}

/** An AbortSignal fired by Ctrl-C, and a way to stop listening once the watch is over. */
function sigint(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.once("SIGINT", onSigint);
  return { signal: controller.signal, dispose: () => void process.off("SIGINT", onSigint) };
}
