import type { Service } from "../idl/ast.js";
import type { Program } from "../idl/program.js";
import type { I64Representation } from "../runtime/descriptor.js";
import { formatTypeScript } from "./format.js";
import { GeneratorDiagnostics } from "./generate-error.js";
import { TypeResolver } from "./model/resolved-type.js";
import { type ModelInputs, skeletonModel, tsFileModel } from "./model/ts-file-model.js";
import { FileNames } from "./model/file-names.js";
import { OutputPaths } from "./output-paths.js";
import { protoFileModel } from "./proto/proto-file-model.js";
import { TemplateSet } from "./template-set.js";

export { GenerateError } from "./generate-error.js";
export { TemplateError } from "./template-set.js";

export interface GenerateOptions {
  /** How i64 values are represented in JavaScript unless `ts.type` says otherwise (default bigint). */
  i64?: I64Representation;
  /** A directory whose `.hbs` files replace rpcgen's templates and partials of the same name. */
  templatesDir?: string;
  /** Also produce a starter `XHandlerImpl.ts` per service (kind "skeleton"; never to overwrite). */
  skeleton?: boolean;
}

/** One output file. */
export interface GeneratedFile {
  /** POSIX path relative to the output directory, e.g. `tutorial.ts` or `common/shared.proto`. */
  path: string;
  contents: string;
  /** `skeleton` files are starters for the user: write them only where no file exists yet. */
  kind: "typescript" | "proto" | "skeleton";
}

/**
 * Generates `x.ts` and `x.proto` for every file of a checked program (roots
 * and includes alike, since generated imports mirror includes), plus the
 * skeletons when asked. The output depends only on the program and the
 * options: the same input gives byte-identical files. Throws GenerateError
 * (with diagnostics) for problems the checker does not catch, such as a bad
 * `ts.type` or `rpc.*` annotation or an i64 constant that a number cannot hold.
 */
export async function generate(program: Program, options: GenerateOptions = {}): Promise<GeneratedFile[]> {
  const templates = await TemplateSet.load(options.templatesDir);
  const diagnostics = new GeneratorDiagnostics();
  const inputs: ModelInputs = {
    program,
    resolver: new TypeResolver(program, options.i64 ?? "bigint", diagnostics),
    paths: new OutputPaths(program),
    diagnostics,
  };
  const pending: { path: string; kind: GeneratedFile["kind"]; render: () => string }[] = [];
  for (const file of program.files.values()) {
    const ts = tsFileModel(inputs, file);
    pending.push({ path: inputs.paths.of(file, ".ts"), kind: "typescript", render: () => templates.render("ts-file", ts) });
    const proto = protoFileModel(inputs, file);
    pending.push({ path: inputs.paths.of(file, ".proto"), kind: "proto", render: () => templates.render("proto-file", proto) });
    if (options.skeleton === true) {
      for (const service of file.document.definitions.filter((d): d is Service => d.kind === "service")) {
        const model = skeletonModel(inputs, file, service);
        const dir = inputs.paths.dirOf(file);
        const name = `${FileNames.of(file).service(service.name.name).handlerImpl}.ts`;
        pending.push({ path: dir === "" ? name : `${dir}/${name}`, kind: "skeleton", render: () => templates.render("skeleton", model) });
      }
    }
  }
  diagnostics.throwIfAny();
  const files: GeneratedFile[] = [];
  for (const entry of pending) {
    const text = entry.render();
    const contents = entry.kind === "proto" ? tidyProto(text) : await formatTypeScript(text, entry.path);
    files.push({ path: entry.path, contents, kind: entry.kind });
  }
  return files;
}

/** Proto output is not run through a formatter: collapse the blank lines templates leave behind. */
function tidyProto(text: string): string {
  return `${text.replace(/[ \t]+$/gm, "").replace(/\n{3,}/g, "\n\n").trim()}\n`;
}
