import type { TargetCheck } from "./target-ratios.js";

/**
 * A benchmark that does not fit the echo case matrix (its own peers, its own
 * load generator: redis-benchmark against redis-server, 10,000 connections held
 * open, ...). `bench/run.ts` runs each one after the matrix and merges its
 * table, JSON lines and targets into the run's report.
 */
export interface SideBench {
  /** Shown as the heading of its table, e.g. "RESP: rpcgen vs redis-server (redis-benchmark)". */
  title: string;
  /** Its figures as a markdown table (one row per measured peer/setting). */
  markdown: string;
  /** One object per row for `--json` (a `kind` field naming the side bench is added by run.ts). */
  rows: Array<Record<string, string | number | boolean | null>>;
  /** The issue targets it measures, as same-run ratios. */
  targets: TargetCheck[];
}

/** Options every side bench takes. */
export interface SideBenchOptions {
  /** `npm run bench -- --quick`: the whole run must stay under a minute. */
  quick: boolean;
  /** Progress lines (stderr in --json mode). */
  log: (line: string) => void;
}

/** A side bench that could not run (a missing tool, a failed peer): reported, not thrown. */
export function failedSideBench(title: string, error: unknown): SideBench {
  const message = error instanceof Error ? error.message : String(error);
  return { title, markdown: `FAILED: ${message}`, rows: [{ failed: message }], targets: [] };
}
