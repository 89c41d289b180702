import path from "node:path";
import type { ProgramFile } from "../idl/program.js";
import { FileNames } from "./model/file-names.js";
import { OutputPaths } from "./output-paths.js";

/**
 * Where the `--skeleton` starters go: under `skeletonDir` (relative to the
 * output directory), mirroring the layout of the generated files, so that
 * `gen/common/shared.ts` gets `<skeletonDir>/common/SharedServiceHandlerImpl.ts`.
 * A skeleton dir that leads out of the output directory (`..`, the CLI's
 * default) needs the output directory's path for the imports back into it.
 */
export class SkeletonPaths {
  private readonly base: string;

  constructor(
    private readonly paths: OutputPaths,
    private readonly skeletonDir = ".",
    outDir?: string,
  ) {
    const dir = path.posix.normalize(skeletonDir);
    if (outDir === undefined && (dir === ".." || dir.startsWith("../"))) {
      throw new Error(`skeletonDir "${skeletonDir}" leads out of the output directory: pass outDir too`);
    }
    // Any absolute base works when the skeletons stay inside the output directory.
    this.base = outDir === undefined ? "/out" : outDir.split(path.sep).join("/");
  }

  /** The skeleton of `serviceName` (declared in `file`): a POSIX path relative to the output directory. */
  of(file: ProgramFile, serviceName: string): string {
    const name = `${FileNames.of(file).service(serviceName).handlerImpl}.ts`;
    return path.posix.normalize(path.posix.join(this.skeletonDir, this.paths.dirOf(file), name));
  }

  /** The specifier by which the skeleton at `from` imports the generated module of `file`. */
  toModule(from: string, file: ProgramFile, extension: string): string {
    return this.specifier(from, this.paths.of(file, extension));
  }

  /** The specifier by which the skeleton at `from` imports the skeleton at `to`. */
  toSkeleton(from: string, to: string, extension: string): string {
    return this.specifier(from, to.replace(/\.ts$/, extension));
  }

  private specifier(from: string, to: string): string {
    return OutputPaths.specifier(path.posix.join(this.base, from), path.posix.join(this.base, to));
  }
}
