import type { CaseResult } from "./case-result.js";
import type { TargetCheck } from "./target-ratios.js";

const columns = [
  { framework: "rpcgen", codec: "binary", title: "rpcgen binary" },
  { framework: "rpcgen", codec: "json", title: "rpcgen json" },
  { framework: "rpcgen", codec: "resp", title: "rpcgen RESP" },
  { framework: "grpc-js", codec: "protobuf", title: "grpc-js" },
  { framework: "thrift", codec: "binary", title: "Thrift" },
  { framework: "raw", codec: "json", title: "raw `net`" },
];

/** The README's summary: small echo on one connection per peer and calls in flight, then the issue targets. */
export function readmeSummary(results: readonly CaseResult[], targets: readonly TargetCheck[], runLine: string): string {
  const plain = (framework: string, codec: string, inFlight: number) =>
    results.find(
      (r) =>
        r.status === "ok" &&
        r.spec.server.framework === framework &&
        r.spec.codec === codec &&
        r.spec.server.workers === 0 &&
        r.spec.connections === 1 &&
        r.spec.workload === "echo" &&
        r.spec.concurrency === inFlight &&
        r.spec.label === undefined &&
        r.spec.parkCalls === undefined,
    );
  const lines = [
    runLine,
    "",
    `| calls in flight | ${columns.map((c) => c.title).join(" | ")} |`,
    `| --- | ${columns.map(() => "---").join(" | ")} |`,
  ];
  for (const inFlight of [1, 64, 256]) {
    const latency = inFlight === 1 ? "p50" : "p99";
    const cells = columns.map((column) => {
      const r = plain(column.framework, column.codec, inFlight);
      if (r === undefined) return "-";
      const ms = inFlight === 1 ? r.p50Ms : r.p99Ms;
      return `${r.callsPerSec.toLocaleString("en-US")} / ${ms} ms`;
    });
    lines.push(`| ${inFlight} (calls/s / ${latency}) | ${cells.join(" | ")} |`);
  }
  const met = targets.filter((t) => t.kind !== "measured" && t.ratio !== undefined);
  const missed = met.filter((t) => (t.kind === "at least" ? t.ratio! < t.want : t.ratio! > t.want));
  lines.push(
    "",
    `Targets in this run: ${met.length - missed.length} of ${met.length} met` +
      (missed.length === 0 ? "." : `; missed: ${missed.map((t) => `${t.name} (${t.ratio!.toFixed(2)}, ${t.kind} ${t.want})`).join("; ")}.`) +
      " Every target and figure: [docs/BENCHMARKS.md](docs/BENCHMARKS.md).",
  );
  return lines.join("\n");
}
