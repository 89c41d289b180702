/**
 * Rewrites the generated parts of docs/BENCHMARKS.md and README.md from a run:
 * the text between `<!-- bench:NAME:begin -->` and `<!-- bench:NAME:end -->`
 * markers, so the figures a reader sees are always those of one whole run.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const docsPath = fileURLToPath(new URL("../docs/BENCHMARKS.md", import.meta.url));
const readmePath = fileURLToPath(new URL("../README.md", import.meta.url));

/** `text` with each named section's body replaced; a missing marker pair is an error (the markers were edited away). */
export function replaceMarkedSections(text: string, sections: Record<string, string>): string {
  for (const [name, body] of Object.entries(sections)) {
    const begin = `<!-- bench:${name}:begin -->`;
    const end = `<!-- bench:${name}:end -->`;
    const from = text.indexOf(begin);
    const to = text.indexOf(end);
    if (from === -1 || to < from) throw new Error(`markers ${begin} … ${end} are missing`);
    text = `${text.slice(0, from + begin.length)}\n${body.trim()}\n${text.slice(to)}`;
  }
  return text;
}

function replaceSections(filePath: string, sections: Record<string, string>): void {
  writeFileSync(filePath, replaceMarkedSections(readFileSync(filePath, "utf8"), sections));
}

export function updateBenchmarksDoc(sections: { run: string; results: string; targets: string; side: string }): void {
  replaceSections(docsPath, sections);
}

export function updateReadme(sections: { readme: string }): void {
  replaceSections(readmePath, sections);
}

export const benchmarksDocPath = docsPath;
