import type { CaseResult } from "./case-result.js";
import type { Framework, Workload } from "./case-spec.js";

/** One target of the issue, checked on ratios measured in the same run. */
export interface TargetCheck {
  name: string;
  /** Undefined when a side of the ratio was not measured (failed, timed out or not in this run). */
  ratio: number | undefined;
  /** The ratio the target asks for, and whether it is a floor or a ceiling ("measured": no target, a figure to watch). */
  want: number;
  kind: "at least" | "at most" | "measured";
}

interface Select {
  framework: Framework;
  codec?: string;
  workload?: Workload;
  concurrency: number;
  governed?: boolean;
  label?: string;
}

function find(
  results: readonly CaseResult[],
  select: Select,
): CaseResult | undefined {
  return results.find(
    (r) =>
      r.status === "ok" &&
      r.spec.server.framework === select.framework &&
      r.spec.server.workers === 0 &&
      r.spec.connections === 1 &&
      r.spec.parkCalls === undefined &&
      (select.codec === undefined || r.spec.codec === select.codec) &&
      r.spec.workload === (select.workload ?? "echo") &&
      r.spec.concurrency === select.concurrency &&
      (r.spec.governed === true) === (select.governed === true) &&
      r.spec.label === select.label,
  );
}

const ratio = (
  a: number | undefined,
  b: number | undefined,
): number | undefined =>
  a === undefined || b === undefined || b === 0 ? undefined : a / b;

/** The issue's targets: rpcgen binary on one connection against the others. */
export function checkTargets(results: readonly CaseResult[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const rpcgen = (concurrency: number, workload: Workload = "echo") =>
    find(results, {
      framework: "rpcgen",
      codec: "binary",
      concurrency,
      workload,
    });
  for (const inFlight of [64, 256]) {
    const ours = rpcgen(inFlight);
    const grpc = find(results, { framework: "grpc-js", concurrency: inFlight });
    const thrift = find(results, {
      framework: "thrift",
      concurrency: inFlight,
    });
    const raw = find(results, { framework: "raw", concurrency: inFlight });
    checks.push(
      {
        name: `echo x${inFlight}: calls/s vs grpc-js`,
        ratio: ratio(ours?.callsPerSec, grpc?.callsPerSec),
        want: 10,
        kind: "at least",
      },
      {
        name: `echo x${inFlight}: calls/s vs thrift`,
        ratio: ratio(ours?.callsPerSec, thrift?.callsPerSec),
        want: 5,
        kind: "at least",
      },
      {
        name: `echo x${inFlight}: calls/s vs raw`,
        ratio: ratio(ours?.callsPerSec, raw?.callsPerSec),
        want: 0.7,
        kind: "at least",
      },
      {
        name: `echo x${inFlight}: p99 vs grpc-js p99`,
        ratio: ratio(ours?.p99Ms, grpc?.p99Ms),
        want: 0.1,
        kind: "at most",
      },
    );
  }
  checks.push({
    name: "echo x1: p50 vs raw p50",
    ratio: ratio(
      rpcgen(1)?.p50Ms,
      find(results, { framework: "raw", concurrency: 1 })?.p50Ms,
    ),
    want: 1.5,
    kind: "at most",
  });
  checks.push({
    name: "1 MiB echo: MiB/s vs grpc-js",
    ratio: ratio(
      rpcgen(4, "1mib")?.mbPerSec,
      find(results, { framework: "grpc-js", workload: "1mib", concurrency: 4 })
        ?.mbPerSec,
    ),
    want: 1,
    kind: "at least",
  });
  checks.push(
    ...foreignClientTargets(results, "grpc-js client", "grpc", "grpc-js", "grpc-js client, rpcgen's gRPC vs a grpc-js server"),
    ...foreignClientTargets(results, "Apache Thrift client", "thrift", "thrift", "Apache Thrift npm client, rpcgen's Thrift vs Apache's npm server"),
  );
  checks.push({
    name: "echo x64 over TLS: calls/s vs grpc-js over TLS",
    ratio: ratio(
      find(results, { framework: "rpcgen", codec: "binary", concurrency: 64, label: "TLS" })?.callsPerSec,
      find(results, { framework: "grpc-js", concurrency: 64, label: "TLS" })?.callsPerSec,
    ),
    want: 10,
    kind: "at least",
  });
  for (const inFlight of [1, 64]) {
    const direct = find(results, {
      framework: "rpcgen",
      concurrency: inFlight,
      label: "direct Channel",
    });
    const governed = find(results, {
      framework: "rpcgen",
      concurrency: inFlight,
      governed: true,
      label: "ClusterInvoker",
    });
    checks.push({
      name: `governance x${inFlight}: ClusterInvoker calls/s vs direct Channel`,
      ratio: ratio(governed?.callsPerSec, direct?.callsPerSec),
      want: 0.95,
      kind: "at least",
    });
  }
  // Metrics + tracing on both sides (OpenTelemetry API, no SDK) against the plain row: at most 15% fewer calls/s.
  checks.push({
    name: "echo x64 with metrics+tracing: calls/s vs without",
    ratio: ratio(
      find(results, { framework: "rpcgen", codec: "binary", concurrency: 64, label: "metrics+tracing" })?.callsPerSec,
      rpcgen(64)?.callsPerSec,
    ),
    want: 0.85,
    kind: "at least",
  });
  // node:cluster, one worker against two, same load (4 connections, 64 in flight): no target, the
  // ceiling is the machine's cores shared with the client (docs/BENCHMARKS.md, *Workers*).
  const workersRow = (workers: number) =>
    results.find(
      (r) =>
        r.status === "ok" &&
        r.spec.server.framework === "rpcgen" &&
        r.spec.server.workers === workers &&
        r.spec.concurrency === 64 &&
        r.spec.label === "workers",
    );
  checks.push({
    name: "workers: 2 vs 1 node:cluster workers, calls/s (c4 x64)",
    ratio: ratio(workersRow(2)?.callsPerSec, workersRow(1)?.callsPerSec),
    want: 1,
    kind: "measured",
  });
  return checks;
}

/**
 * A foreign client (grpc-js's, Apache Thrift's npm one) against rpcgen's side of
 * its protocol vs against its own library's server, 64 in flight: the calls/s
 * target, and two figures that say who bounds it — the servers' CPU per call
 * (peer / rpcgen: how much cheaper rpcgen's side is) and the client's CPU
 * against rpcgen (100% = one core: the client, not the server, is the ceiling).
 */
function foreignClientTargets(
  results: readonly CaseResult[],
  label: string,
  codec: string,
  peer: Framework,
  target: string,
): TargetCheck[] {
  const ours = find(results, { framework: "rpcgen", codec, concurrency: 64, label });
  const theirs = find(results, { framework: peer, concurrency: 64 });
  const cpuPerCall = (row: CaseResult | undefined) =>
    row === undefined || row.callsPerSec === 0 ? undefined : row.serverCpuPct / row.callsPerSec;
  return [
    { name: `echo x64: ${target}`, ratio: ratio(ours?.callsPerSec, theirs?.callsPerSec), want: 2, kind: "at least" },
    { name: `echo x64: ${label}, server CPU per call, ${peer}'s server / rpcgen's`, ratio: ratio(cpuPerCall(theirs), cpuPerCall(ours)), want: 1, kind: "measured" },
    { name: `echo x64: ${label}'s own CPU against rpcgen, in cores`, ratio: ours === undefined ? undefined : ours.clientCpuPct / 100, want: 1, kind: "measured" },
  ];
}

/** "ok" / "MISSED" / "n/a" for a check. */
export function verdict(check: TargetCheck): string {
  if (check.ratio === undefined) return "n/a";
  if (check.kind === "measured") return "measured";
  const met =
    check.kind === "at least"
      ? check.ratio >= check.want
      : check.ratio <= check.want;
  return met ? "ok" : "MISSED";
}

/** The checks as markdown lines. */
export function formatTargets(checks: readonly TargetCheck[]): string {
  const lines = [
    "| target | measured | wanted | verdict |",
    "|---|---|---|---|",
  ];
  for (const check of checks) {
    const measured = check.ratio === undefined ? "-" : check.ratio.toFixed(2);
    lines.push(
      `| ${check.name} | ${measured} | ${check.kind === "measured" ? "-" : `${check.kind} ${check.want}`} | ${verdict(check)} |`,
    );
  }
  return lines.join("\n");
}
