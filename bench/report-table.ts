import type { CaseResult } from "./case-result.js";

/** The results as a markdown table, one row per case. */
export function markdownTable(results: readonly CaseResult[]): string {
  const header =
    "| framework | codec | workload | conns | workers | in flight | calls/s | MiB/s | p50 ms | p99 ms | server CPU % | server RSS MB | client CPU % | spread calls/s % | note |";
  const rule =
    "|" +
    header
      .split("|")
      .slice(1, -1)
      .map(() => "---")
      .join("|") +
    "|";
  const rows = results.map((r) => {
    const s = r.spec;
    const note = [
      s.label,
      r.parkedRssMb === undefined
        ? undefined
        : `RSS with all parked: ${r.parkedRssMb} MB`,
      r.status === "ok"
        ? undefined
        : `${r.status.toUpperCase()}: ${r.message ?? ""}`,
    ]
      .filter((part) => part !== undefined)
      .join("; ");
    const figures =
      r.repetitions === 0
        ? ["-", "-", "-", "-", "-", "-", "-", "-"]
        : [
            String(r.callsPerSec),
            r.mbPerSec === undefined ? "" : String(r.mbPerSec),
            r.p50Ms.toFixed(3),
            r.p99Ms.toFixed(3),
            r.serverCpuPct.toFixed(0),
            r.serverRssMb.toFixed(0),
            r.clientCpuPct.toFixed(0),
            r.callsPerSecSpreadPct.toFixed(0),
          ];
    return `| ${[s.server.framework, s.codec, s.workload, s.connections, s.server.workers, s.concurrency, ...figures, note].join(" | ")} |`;
  });
  return [header, rule, ...rows].join("\n");
}
