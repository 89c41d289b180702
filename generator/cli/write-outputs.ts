import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import type { GeneratedFile } from "../generate.js";

/** What happened to each output file. */
export interface WriteReport {
  written: string[];
  unchanged: string[];
  /** Skeletons left alone because the user's file already exists. */
  kept: string[];
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * Writes generated files under `outDir`, touching only files whose contents
 * changed (so build tools watching the output do not rebuild for nothing).
 * Skeletons are written only where no file exists: they belong to the user.
 */
export async function writeOutputs(outDir: string, files: readonly GeneratedFile[]): Promise<WriteReport> {
  const report: WriteReport = { written: [], unchanged: [], kept: [] };
  for (const file of files) {
    const target = path.join(outDir, file.path);
    const existing = await readIfExists(target);
    if (file.kind === "skeleton" && existing !== undefined) {
      report.kept.push(target);
      continue;
    }
    if (existing === file.contents) {
      report.unchanged.push(target);
      continue;
    }
    await mkdir(path.dirname(target), { recursive: true });
    // `wx` for skeletons: if a file appeared since we looked, it is the user's; leave it.
    try {
      await writeFile(target, file.contents, { flag: file.kind === "skeleton" ? "wx" : "w" });
      report.written.push(target);
    } catch (error) {
      if (file.kind === "skeleton" && (error as NodeJS.ErrnoException).code === "EEXIST") report.kept.push(target);
      else throw error;
    }
  }
  return report;
}

/** The generated (non-skeleton) files whose copy under `outDir` is missing or different. */
export async function staleOutputs(outDir: string, files: readonly GeneratedFile[]): Promise<string[]> {
  const stale: string[] = [];
  for (const file of files) {
    if (file.kind === "skeleton") continue;
    const target = path.join(outDir, file.path);
    if ((await readIfExists(target)) !== file.contents) stale.push(target);
  }
  return stale;
}
