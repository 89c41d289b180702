import path from "node:path";
import type { Diagnostic } from "../../../idl/diagnostic.js";
import { formatDiagnostic } from "../../../idl/format-diagnostic.js";
import { loadProgram } from "../../../idl/load-program.js";

/** One `### \`CODE\` (severity)` entry of docs/DIAGNOSTICS.md. */
export interface DocEntry {
  code: string;
  severity: string;
  /** The ```thrift blocks: in-memory files, the first one is the root. */
  files: { name: string; text: string }[];
  /** The ```text block: the expected output, when there is one. */
  output: string | undefined;
}

/** Splits the diagnostics document into its entries. */
export function parseDiagnosticsDoc(markdown: string): DocEntry[] {
  const entries: DocEntry[] = [];
  const lines = markdown.split("\n");
  let current: DocEntry | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heading = /^### `([A-Z_]+)` \((error|warning)\)$/.exec(line);
    if (heading !== null) {
      current = { code: heading[1]!, severity: heading[2]!, files: [], output: undefined };
      entries.push(current);
      continue;
    }
    if (line.startsWith("## ")) current = undefined;
    const fence = /^```(thrift|text)$/.exec(line);
    if (fence === null || current === undefined) continue;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== "```"; i++) body.push(lines[i]!);
    const text = body.join("\n");
    if (fence[1] === "text") {
      current.output = text;
    } else {
      const named = /^# file: (\S+)$/.exec(body[0] ?? "");
      current.files.push({ name: named?.[1] ?? "example.thrift", text: `${text}\n` });
    }
  }
  return entries;
}

const DOC_ROOT = path.resolve("/project");

/** Runs an entry's example and returns the first diagnostic with its code, formatted as the CLI prints it. */
export function runDocExample(entry: DocEntry): { diagnostic: Diagnostic | undefined; formatted: string | undefined } {
  const byPath = new Map(entry.files.map((f) => [path.join(DOC_ROOT, f.name), f.text]));
  const root = entry.files[0]?.name ?? "missing.thrift";
  const { diagnostics } = loadProgram([path.join(DOC_ROOT, root)], {
    readFile: (absPath) => {
      const text = byPath.get(absPath);
      if (text === undefined) throw Object.assign(new Error("ENOENT"), { code: "ENOENT" });
      return text;
    },
  });
  const diagnostic = diagnostics.find((d) => d.code === entry.code);
  if (diagnostic === undefined) return { diagnostic, formatted: undefined };
  const formatted = formatDiagnostic(diagnostic, byPath.get(diagnostic.range.file)?.replace(/\n$/, ""), DOC_ROOT);
  return { diagnostic, formatted };
}
