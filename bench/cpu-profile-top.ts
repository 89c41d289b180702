/**
 * Top functions by self time of a V8 .cpuprofile (as written by `node --cpu-prof`):
 *   npx tsx bench/cpu-profile-top.ts <file.cpuprofile> [count=20]
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  /** Microseconds on the system's monotonic clock (process.hrtime's). */
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** One function's share of the profile. */
export interface SelfTime {
  functionName: string;
  location: string;
  selfMs: number;
  /** Share of the busy time: samples of "(idle)" are left out of the total. */
  selfPct: number;
}

/**
 * Self time per function (summed over its profile nodes), largest first; only
 * samples taken at or after `fromMicros` (monotonic clock) count, so start-up and
 * warm-up can be left out.
 */
export function topSelfTime(
  profile: CpuProfile,
  count: number,
  fromMicros = 0,
): SelfTime[] {
  const nodeById = new Map(profile.nodes.map((node) => [node.id, node]));
  const micros = new Map<
    string,
    { frame: ProfileNode["callFrame"]; micros: number }
  >();
  let total = 0;
  let at = profile.startTime;
  profile.samples.forEach((nodeId, index) => {
    // timeDeltas[i] is the time before sample i; attribute it to that sample's node.
    const delta = Math.max(0, profile.timeDeltas[index] ?? 0);
    at += delta;
    if (at < fromMicros) return;
    const frame = nodeById.get(nodeId)?.callFrame;
    if (frame === undefined) return;
    const key = `${frame.functionName}|${frame.url}|${frame.lineNumber}`;
    const entry = micros.get(key) ?? { frame, micros: 0 };
    entry.micros += delta;
    micros.set(key, entry);
    if (frame.functionName !== "(idle)") total += delta;
  });
  return [...micros.values()]
    .filter(({ frame }) => frame.functionName !== "(idle)")
    .sort((a, b) => b.micros - a.micros)
    .slice(0, count)
    .map(({ frame, micros: self }) => ({
      functionName:
        frame.functionName === "" ? "(anonymous)" : frame.functionName,
      location:
        frame.url === ""
          ? ""
          : `${shortUrl(frame.url)}:${frame.lineNumber + 1}`,
      selfMs: self / 1000,
      selfPct: total === 0 ? 0 : (self / total) * 100,
    }));
}

/** The table printed for a profile (percentages of busy time). */
export function formatSelfTime(rows: readonly SelfTime[]): string {
  return rows
    .map(
      (row) =>
        `${row.selfPct.toFixed(1).padStart(6)}%  ${row.selfMs.toFixed(0).padStart(7)} ms  ${row.functionName}  ${row.location}`,
    )
    .join("\n");
}

/** Reads and checks a .cpuprofile file. */
export function readCpuProfile(path: string): CpuProfile {
  const parsed = JSON.parse(readFileSync(path, "utf8")) as Partial<CpuProfile>;
  if (
    typeof parsed.startTime !== "number" ||
    !Array.isArray(parsed.nodes) ||
    !Array.isArray(parsed.samples) ||
    !Array.isArray(parsed.timeDeltas)
  ) {
    throw new Error(
      `${path} is not a V8 CPU profile (nodes, samples and timeDeltas expected)`,
    );
  }
  return parsed as CpuProfile;
}

function shortUrl(url: string): string {
  const path = url.startsWith("file://") ? fileURLToPath(url) : url;
  const project = path.indexOf("/node_modules/");
  if (project !== -1) return path.slice(project + 1);
  return path.replace(process.cwd() + "/", "");
}

if (
  process.argv[1] !== undefined &&
  fileURLToPath(import.meta.url) === process.argv[1]
) {
  const file = process.argv[2];
  if (file === undefined) {
    console.error(
      "usage: tsx bench/cpu-profile-top.ts <file.cpuprofile> [count=20]",
    );
    process.exit(2);
  }
  console.log(
    formatSelfTime(
      topSelfTime(readCpuProfile(file), Number(process.argv[3] ?? 20)),
    ),
  );
}
