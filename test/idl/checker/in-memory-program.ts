import path from "node:path";
import type { Diagnostic } from "../../../idl/diagnostic.js";
import { loadProgram, type LoadProgramOptions, type LoadProgramResult } from "../../../idl/load-program.js";

/** Where the in-memory files live; any absolute path works since nothing touches the disk. */
export const VIRTUAL_ROOT = path.resolve("/virtual-idl");

/** `virtualPath("a/b.thrift")` is the absolute path of an in-memory file. */
export function virtualPath(relative: string): string {
  return path.join(VIRTUAL_ROOT, relative);
}

/**
 * Loads a program from in-memory files (paths relative to VIRTUAL_ROOT).
 * Roots default to `main.thrift`. A file that is not in `files` reads as ENOENT.
 */
export function loadInMemory(
  files: Record<string, string>,
  roots: string[] = ["main.thrift"],
  includeDirs: string[] = [],
  options: Pick<LoadProgramOptions, "i64"> = {},
): LoadProgramResult & { reads: string[] } {
  const reads: string[] = [];
  const byPath = new Map(Object.entries(files).map(([name, text]) => [virtualPath(name), text]));
  const result = loadProgram(roots.map(virtualPath), {
    ...options,
    includeDirs: includeDirs.map(virtualPath),
    readFile: (absPath) => {
      reads.push(absPath);
      const text = byPath.get(absPath);
      if (text === undefined) throw Object.assign(new Error(`ENOENT: ${absPath}`), { code: "ENOENT" });
      return text;
    },
  });
  return { ...result, reads };
}

/** `main.thrift:3:7 E_UNKNOWN_TYPE` for each diagnostic, the compact form tests compare. */
export function located(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map(
    (d) => `${path.relative(VIRTUAL_ROOT, d.range.file)}:${d.range.start.line}:${d.range.start.column} ${d.code}`,
  );
}

/** Diagnostics of one program in compact form, leaving out the parser's implicit-id warnings. */
export function check(source: string, more: Record<string, string> = {}): string[] {
  const { diagnostics } = loadInMemory({ "main.thrift": source, ...more });
  return located(diagnostics.filter((d) => d.code !== "W_IMPLICIT_FIELD_ID"));
}

/** Messages of the diagnostics with `code`. */
export function messagesOf(source: string, code: string, more: Record<string, string> = {}): string[] {
  const { diagnostics } = loadInMemory({ "main.thrift": source, ...more });
  return diagnostics.filter((d) => d.code === code).map((d) => d.message);
}
