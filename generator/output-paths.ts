import path from "node:path";
import type { Program, ProgramFile } from "../idl/program.js";

/**
 * Where each IDL file's outputs go, relative to the output directory: the
 * file's path relative to the deepest directory holding every file of the
 * program, so `idl/a.thrift` including `idl/common/b.thrift` gives `a.ts` and
 * `common/b.ts`, and generated imports are the same relative paths as includes.
 */
export class OutputPaths {
  /** The deepest directory holding every IDL file of the program (absolute). */
  readonly baseDir: string;

  constructor(program: Program) {
    const dirs = [...program.files.keys()].map((file) => path.dirname(file));
    this.baseDir = dirs.reduce(commonDir, dirs[0] ?? ".");
  }

  /** `x.thrift` → `x<extension>`, as a POSIX path relative to the output directory. */
  of(file: ProgramFile, extension: string): string {
    const relative = path.relative(this.baseDir, file.path);
    const parsed = path.parse(relative);
    return toPosix(path.join(parsed.dir, `${parsed.name}${extension}`));
  }

  /** The IDL file's path relative to the program's base directory, for the generated header. */
  sourceName(file: ProgramFile): string {
    return toPosix(path.relative(this.baseDir, file.path));
  }

  /** An ES module specifier from `from`'s generated `.ts` to `to`'s, with the `.js` suffix. */
  moduleSpecifier(from: ProgramFile, to: ProgramFile): string {
    const relative = toPosix(path.relative(path.dirname(this.of(from, ".ts")), this.of(to, ".js")));
    return relative.startsWith(".") ? relative : `./${relative}`;
  }

  /** Directory of `file`'s outputs, relative to the output directory (`""` for the top). */
  dirOf(file: ProgramFile): string {
    const dir = path.posix.dirname(this.of(file, ".ts"));
    return dir === "." ? "" : dir;
  }
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
