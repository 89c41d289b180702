import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const rpcgenBin = path.join(repoRoot, "bin/rpcgen");

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built `bin/rpcgen` (it needs `npm run build`) with `args` in `cwd`. */
export function runRpcgen(args: string[], cwd: string): CliRun {
  const result = spawnSync(process.execPath, [rpcgenBin, ...args], { cwd, encoding: "utf8", timeout: 20_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** True when the output holds a JavaScript stack trace. */
export function hasStackTrace(text: string): boolean {
  return /^\s+at .+:\d+:\d+\)?$/m.test(text);
}
