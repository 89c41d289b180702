import path from "node:path";
import type { Program, ProgramFile } from "../idl/program.js";

/**
 * Where each IDL file's outputs go, relative to the output directory, so that
 * generated imports are the includes as written:
 * - the files named on the command line, and what they include without `-I`,
 *   keep their paths relative to the deepest directory holding all of them
 *   (`idl/a.thrift` including `idl/common/b.thrift` gives `a.ts` and
 *   `common/b.ts`);
 * - a file found through an `-I` directory goes to its path relative to that
 *   directory (`include "geo/point.thrift"` found in `-I /libs` gives
 *   `geo/point.ts`), as protoc does with `-I`.
 * Should two files land on the same path (or a path lead out of the output
 * directory), every file keeps its path relative to the deepest directory
 * holding all of them instead, which can never clash.
 */
export class OutputPaths {
  /** The deepest directory holding every file named on the command line and what they include without `-I`. */
  readonly baseDir: string;
  private readonly relativePaths = new Map<ProgramFile, string>();

  constructor(program: Program) {
    const files = [...program.files.values()];
    const local = files.filter((file) => file.includeDir === undefined);
    this.baseDir = deepestCommonDir((local.length > 0 ? local : files).map((file) => file.path));
    for (const file of files) {
      this.relativePaths.set(file, path.relative(file.includeDir ?? this.baseDir, file.path));
    }
    if (!this.allDistinctAndInside()) {
      const allDir = deepestCommonDir(files.map((file) => file.path));
      for (const file of files) this.relativePaths.set(file, path.relative(allDir, file.path));
    }
  }

  /** `x.thrift` → `x<extension>`, as a POSIX path relative to the output directory. */
  of(file: ProgramFile, extension: string): string {
    const parsed = path.parse(this.relativeOf(file));
    return toPosix(path.join(parsed.dir, `${parsed.name}${extension}`));
  }

  /** The IDL file's path as the generated header names it: relative to where its outputs are laid out. */
  sourceName(file: ProgramFile): string {
    return toPosix(this.relativeOf(file));
  }

  /** An ES module specifier from the module at `from` to the one at `to` (POSIX paths relative to the output directory). */
  static specifier(from: string, to: string): string {
    const relative = path.posix.relative(path.posix.dirname(from), to);
    return relative.startsWith(".") ? relative : `./${relative}`;
  }

  /** An ES module specifier from `from`'s generated module to `to`'s, ending in `extension` (`.js` or `.ts`). */
  moduleSpecifier(from: ProgramFile, to: ProgramFile, extension = ".js"): string {
    return OutputPaths.specifier(this.of(from, ".ts"), this.of(to, extension));
  }

  /** Directory of `file`'s outputs, relative to the output directory (`""` for the top). */
  dirOf(file: ProgramFile): string {
    const dir = path.posix.dirname(this.of(file, ".ts"));
    return dir === "." ? "" : dir;
  }

  private relativeOf(file: ProgramFile): string {
    const relative = this.relativePaths.get(file);
    if (relative === undefined) throw new Error(`internal: ${file.path} is not part of the program`);
    return relative;
  }

  private allDistinctAndInside(): boolean {
    const outputs = new Set<string>();
    for (const relative of this.relativePaths.values()) {
      const key = relative.replace(/\.[^./\\]*$/, "");
      if (relative.startsWith("..") || path.isAbsolute(relative) || outputs.has(key)) return false;
      outputs.add(key);
    }
    return true;
  }
}

function deepestCommonDir(files: readonly string[]): string {
  const dirs = files.map((file) => path.dirname(file));
  return dirs.reduce(commonDir, dirs[0] ?? ".");
}

function commonDir(a: string, b: string): string {
  const partsA = a.split(path.sep);
  const partsB = b.split(path.sep);
  let i = 0;
  while (i < partsA.length && i < partsB.length && partsA[i] === partsB[i]) i++;
  return partsA.slice(0, i).join(path.sep) || path.sep;
}

function toPosix(p: string): string {
  return p.split(path.sep).join("/");
}
