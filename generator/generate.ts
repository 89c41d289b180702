import type { Service } from "../idl/ast.js";
import type { Program } from "../idl/program.js";
import type { I64Representation } from "@rpcgen/runtime/internal/descriptor.js";
import { formatRendered, formatTypeScript } from "./format.js";
import { GeneratorDiagnostics } from "./generate-error.js";
import { TypeResolver } from "./model/resolved-type.js";
import { skeletonModel } from "./model/skeleton-model.js";
import { type ModelInputs, tsFileModel } from "./model/ts-file-model.js";
import { OutputPaths } from "./output-paths.js";
import { protoFileModel } from "./proto/proto-file-model.js";
import { SkeletonPaths } from "./skeleton-paths.js";
import { TemplateSet } from "./template-set.js";

export { GenerateError } from "./generate-error.js";
export { TemplateError } from "./template-set.js";

export interface GenerateOptions {
  /** How i64 values are represented in JavaScript unless `ts.type` says otherwise (default bigint). */
  i64?: I64Representation;
  /** A directory whose `.hbs` files replace rpcgen's templates and partials of the same name. */
  templatesDir?: string;
  /**
   * Only TypeScript syntax that type stripping can erase (`node
   * --experimental-strip-types`, `erasableSyntaxOnly`): enums become const
   * objects with a union type of their values, and relative imports end in
   * `.ts`, the files Node loads.
   */
  erasable?: boolean;
  /** Also produce a starter `XHandlerImpl.ts` per service (kind "skeleton"; never to overwrite). */
  skeleton?: boolean;
  /**
   * Where the skeletons go, as a POSIX path relative to the output directory
   * (default "."): they are the user's code, so the CLI puts them beside the
   * generated folder (".."). A path leading out needs `outDir`.
   */
  skeletonDir?: string;
  /** The output directory's path, for the skeletons' imports when `skeletonDir` leads out of it. */
  outDir?: string;
}

/** One output file. */
export interface GeneratedFile {
  /** POSIX path relative to the output directory, e.g. `tutorial.ts`, `common/shared.proto` or `../XHandlerImpl.ts`. */
  path: string;
  contents: string;
  /** `skeleton` files are starters for the user: write them only where no file exists yet. */
  kind: "typescript" | "proto" | "skeleton";
}

/**
 * Generates `x.ts` and `x.proto` for every file of a checked program (roots
 * and includes alike, since generated imports mirror includes), plus the
 * skeletons when asked. The output depends only on the program and the
 * options: the same input gives byte-identical files, formatted as prettier
 * formats them. Throws GenerateError (with diagnostics) only for a program
 * with errors the checker reports.
 */
export async function generate(program: Program, options: GenerateOptions = {}): Promise<GeneratedFile[]> {
  const templates = await TemplateSet.load(options.templatesDir);
  const diagnostics = new GeneratorDiagnostics();
  const inputs: ModelInputs = {
    program,
    resolver: new TypeResolver(program, options.i64 ?? "bigint", diagnostics),
    paths: new OutputPaths(program),
    diagnostics,
    erasable: options.erasable === true,
  };
  const skeletons = new SkeletonPaths(inputs.paths, options.skeletonDir, options.outDir);
  const pending: { path: string; kind: GeneratedFile["kind"]; render: () => string }[] = [];
  for (const file of program.files.values()) {
    const ts = tsFileModel(inputs, file);
    pending.push({ path: inputs.paths.of(file, ".ts"), kind: "typescript", render: () => templates.render("ts-file", ts) });
    const proto = protoFileModel(inputs, file);
    pending.push({ path: inputs.paths.of(file, ".proto"), kind: "proto", render: () => templates.render("proto-file", proto) });
    if (options.skeleton !== true) continue;
    for (const service of file.document.definitions.filter((d): d is Service => d.kind === "service")) {
      const model = skeletonModel(inputs, skeletons, file, service);
      pending.push({ path: skeletons.of(file, service.name.name), kind: "skeleton", render: () => templates.render("skeleton", model) });
    }
  }
  diagnostics.throwIfAny();
  // Overridden templates come with no layout guarantees: prettier formats their whole output.
  const format = templates.overridden ? formatTypeScript : formatRendered;
  return Promise.all(
    pending.map(async (entry) => {
      const text = entry.render();
      const contents = entry.kind === "proto" ? tidyProto(text) : await format(text, entry.path);
      return { path: entry.path, contents, kind: entry.kind };
    }),
  );
}

/** Proto output is not run through a formatter: collapse the blank lines templates leave behind. */
function tidyProto(text: string): string {
  return `${text.replace(/[ \t]+$/gm, "").replace(/\n{3,}/g, "\n\n").trim()}\n`;
}
