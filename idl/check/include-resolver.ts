import path from "node:path";
import type { Include, ThriftDocument } from "../ast.js";
import { parse } from "../parse.js";
import type { ProgramFile } from "../program.js";
import { E_INCLUDE_CYCLE, E_INCLUDE_NOT_FOUND, E_INCLUDE_SCOPE_CONFLICT, E_READ_FILE } from "../diagnostic-codes.js";
import { type DiagnosticSink, startOfFile } from "./diagnostic-sink.js";

/** How files are found and read while loading a program. */
export interface FileLoaderOptions {
  /** Searched in order after the including file's own directory. */
  readonly includeDirs: readonly string[];
  /**
   * Reads a file by absolute path. Must throw an error with `code: "ENOENT"`
   * (or `ENOTDIR`/`EISDIR`) when there is no such file, so that the next
   * include directory is tried; any other error is reported as unreadable.
   */
  readonly readFile: (absPath: string) => string;
}

/** The files of a program before checking: roots, and every file in includes-first order. */
export interface LoadedFiles {
  readonly roots: ProgramFile[];
  readonly files: Map<string, ProgramFile>;
}

interface MutableProgramFile extends ProgramFile {
  readonly includes: Map<string, ProgramFile>;
}

type ReadResult = { ok: true; text: string } | { ok: false; missing: boolean; reason: string };

/**
 * Parses the root files and, depth first, every file they include. Includes
 * resolve relative to the including file, then the include directories in
 * order. A cycle is reported at the include that closes it and is not
 * followed again, so loading always terminates.
 */
export function loadFiles(rootPaths: readonly string[], options: FileLoaderOptions, sink: DiagnosticSink): LoadedFiles {
  const files = new Map<string, ProgramFile>();
  const inProgress = new Map<string, MutableProgramFile>();
  const stack: string[] = [];
  const roots: ProgramFile[] = [];

  const read = (absPath: string): ReadResult => {
    try {
      return { ok: true, text: stripByteOrderMark(options.readFile(absPath)) };
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      const missing = code === "ENOENT" || code === "ENOTDIR" || code === "EISDIR";
      return { ok: false, missing, reason: describeReadError(error) };
    }
  };

  const visit = (absPath: string, text: string, includeDir: string | undefined): ProgramFile => {
    const { document, diagnostics } = parse(text, absPath);
    sink.diagnostics.push(...diagnostics);
    const file: MutableProgramFile = {
      path: absPath,
      scope: scopeOf(absPath),
      source: text,
      document,
      includes: new Map(),
      includeDir,
    };
    inProgress.set(absPath, file);
    stack.push(absPath);
    const claims = new Map<string, Include>();
    for (const include of includesOf(document)) {
      const target = resolveInclude(file, include);
      if (target !== undefined) addInclude(file, claims, include, target);
    }
    stack.pop();
    inProgress.delete(absPath);
    files.set(absPath, file);
    return file;
  };

  const resolveInclude = (from: ProgramFile, include: Include): ProgramFile | undefined => {
    const searchDirs = [path.dirname(from.path), ...options.includeDirs.map((dir) => path.resolve(dir))];
    const candidates = path.isAbsolute(include.path)
      ? [{ file: path.normalize(include.path), includeDir: undefined }]
      : uniqueCandidates(searchDirs, include.path, from.includeDir);
    for (const { file: candidate, includeDir } of candidates) {
      const cycleStart = stack.indexOf(candidate);
      if (cycleStart >= 0) {
        const cycle = [...stack.slice(cycleStart), candidate].map((p) => path.basename(p));
        sink.error(E_INCLUDE_CYCLE, `include cycle: ${cycle.join(" -> ")}`, include.range);
        // Keep the edge so names through this scope still resolve; the cycle is not walked again.
        return inProgress.get(candidate);
      }
      const known = files.get(candidate);
      if (known !== undefined) return known;
      const result = read(candidate);
      if (result.ok) return visit(candidate, result.text, includeDir);
      if (!result.missing) {
        sink.error(E_READ_FILE, `cannot read included file "${include.path}": ${result.reason}`, include.range);
        return undefined;
      }
    }
    const searched = path.isAbsolute(include.path) ? "" : ` (searched ${[...new Set(searchDirs)].join(", ")})`;
    sink.error(E_INCLUDE_NOT_FOUND, `included file "${include.path}" not found${searched}`, include.range);
    return undefined;
  };

  /** `claims` holds the include that first took each scope name of `file`, for conflict messages. */
  const addInclude = (
    file: MutableProgramFile,
    claims: Map<string, Include>,
    include: Include,
    target: ProgramFile,
  ): void => {
    const first = claims.get(include.scope);
    if (first === undefined) {
      claims.set(include.scope, include);
      file.includes.set(include.scope, target);
    } else if (file.includes.get(include.scope) !== target) {
      sink.error(
        E_INCLUDE_SCOPE_CONFLICT,
        `"${include.path}" and "${first.path}" would both be referred to as "${include.scope}"`,
        include.range,
      );
    }
  };

  for (const given of rootPaths) {
    const absPath = path.resolve(given);
    const known = files.get(absPath);
    if (known !== undefined) {
      if (!roots.includes(known)) roots.push(known);
      continue;
    }
    const result = read(absPath);
    if (!result.ok) {
      sink.error(E_READ_FILE, `cannot read file: ${result.reason}`, startOfFile(absPath));
      continue;
    }
    roots.push(visit(absPath, result.text, undefined));
  }
  return { roots, files };
}

/**
 * Where to look for `includePath`, in order, without repeats: first next to
 * the including file (the first search directory; what is found there shares
 * the including file's `-I` directory, `fromIncludeDir`), then in each `-I`
 * directory, which is remembered with what is found there.
 */
function uniqueCandidates(
  searchDirs: readonly string[],
  includePath: string,
  fromIncludeDir: string | undefined,
): { file: string; includeDir: string | undefined }[] {
  const seen = new Set<string>();
  const candidates: { file: string; includeDir: string | undefined }[] = [];
  searchDirs.forEach((dir, index) => {
    const file = path.resolve(dir, includePath);
    if (seen.has(file)) return;
    seen.add(file);
    candidates.push({ file, includeDir: index === 0 ? fromIncludeDir : dir });
  });
  return candidates;
}

/** Thrift's scope for a file: its base name without the extension. */
export function scopeOf(filePath: string): string {
  return path.basename(filePath, path.extname(filePath));
}

function includesOf(document: ThriftDocument): Include[] {
  return document.headers.filter((h): h is Include => h.kind === "include");
}

function stripByteOrderMark(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function describeReadError(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  switch (code) {
    case "ENOENT":
      return "no such file";
    case "EISDIR":
      return "it is a directory";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    default:
      return error instanceof Error ? error.message : String(error);
  }
}
