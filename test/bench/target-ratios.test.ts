import { describe, expect, it } from "vitest";
import type { CaseResult } from "../../bench/case-result.js";
import type { CaseSpec, Framework } from "../../bench/case-spec.js";
import { markdownTable } from "../../bench/report-table.js";
import {
  checkTargets,
  formatTargets,
  verdict,
} from "../../bench/target-ratios.js";

function result(
  framework: Framework,
  codec: string,
  concurrency: number,
  callsPerSec: number,
  extra: Partial<CaseSpec> = {},
): CaseResult {
  return {
    spec: {
      server: { framework, workers: 0 },
      codec,
      workload: "echo",
      connections: 1,
      concurrency,
      calls: 1000,
      repSeconds: 1,
      warmupCalls: 10,
      repetitions: 3,
      ...extra,
    },
    status: "ok",
    repetitions: 3,
    callsPerSec,
    p50Ms: 1_000 / callsPerSec,
    p99Ms: 10_000 / callsPerSec,
    serverCpuPct: 50,
    serverRssMb: 100,
    clientCpuPct: 50,
    callsPerRepetition: 1000,
    callsPerSecSpreadPct: 5,
    p99SpreadPct: 5,
  };
}

describe("bench target ratios", () => {
  const results = [
    result("rpcgen", "binary", 64, 100_000),
    result("grpc-js", "protobuf", 64, 5_000),
    result("thrift", "binary", 64, 25_000),
    result("raw", "json", 64, 100_000),
  ];

  it("computes ratios from results of the same run and judges them", () => {
    const checks = checkTargets(results);
    const byName = new Map(checks.map((check) => [check.name, check]));
    expect(byName.get("echo x64: calls/s vs grpc-js")!.ratio).toBeCloseTo(20);
    expect(verdict(byName.get("echo x64: calls/s vs grpc-js")!)).toBe("ok");
    expect(byName.get("echo x64: calls/s vs thrift")!.ratio).toBeCloseTo(4);
    expect(verdict(byName.get("echo x64: calls/s vs thrift")!)).toBe("MISSED");
    expect(byName.get("echo x64: p99 vs grpc-js p99")!.ratio).toBeCloseTo(0.05);
    expect(verdict(byName.get("echo x64: p99 vs grpc-js p99")!)).toBe("ok");
  });

  it("marks a target n/a when a side was not measured or failed", () => {
    const failedGrpc = {
      ...result("grpc-js", "protobuf", 256, 5_000),
      status: "timeout" as const,
    };
    const checks = checkTargets([
      ...results,
      result("rpcgen", "binary", 256, 100_000),
      failedGrpc,
    ]);
    const check = checks.find(
      (c) => c.name === "echo x256: calls/s vs grpc-js",
    )!;
    expect(check.ratio).toBeUndefined();
    expect(verdict(check)).toBe("n/a");
    expect(formatTargets(checks)).toContain(
      "| echo x256: calls/s vs grpc-js | - | at least 10 | n/a |",
    );
  });

  it("compares the governed case only with its direct twin", () => {
    const checks = checkTargets([
      result("rpcgen", "binary", 64, 100_000, { label: "direct Channel" }),
      result("rpcgen", "binary", 64, 95_000, {
        label: "ClusterInvoker",
        governed: true,
      }),
    ]);
    const governance = checks.find((c) => c.name.startsWith("governance x64"))!;
    expect(governance.ratio).toBeCloseTo(0.95);
    expect(verdict(governance)).toBe("ok");
  });

  it("reports workers 2 vs 1 as a figure without a target", () => {
    const workers = (count: number, callsPerSec: number): CaseResult => {
      const row = result("rpcgen", "binary", 64, callsPerSec, { label: "workers", connections: 4 });
      return { ...row, spec: { ...row.spec, server: { framework: "rpcgen", workers: count } } };
    };
    const checks = checkTargets([workers(1, 100_000), workers(2, 130_000)]);
    const check = checks.find((c) => c.name.startsWith("workers:"))!;
    expect(check.ratio).toBeCloseTo(1.3);
    expect(verdict(check)).toBe("measured");
    expect(formatTargets([check])).toContain("| 1.30 | - | measured |");
  });

  it("judges a foreign client against both servers, with what bounds it beside", () => {
    const theirs = { ...result("grpc-js", "protobuf", 64, 8_000), serverCpuPct: 32, clientCpuPct: 93 };
    const ours = { ...result("rpcgen", "grpc", 64, 8_800, { label: "grpc-js client" }), serverCpuPct: 22, clientCpuPct: 101 };
    const checks = checkTargets([theirs, ours]).filter((c) => c.name.includes("grpc-js client"));
    expect(checks.map((c) => [c.name, c.kind])).toEqual([
      ["echo x64: grpc-js client, rpcgen's gRPC vs a grpc-js server", "at least"],
      ["echo x64: grpc-js client, server CPU per call, grpc-js's server / rpcgen's", "measured"],
      ["echo x64: grpc-js client's own CPU against rpcgen, in cores", "measured"],
    ]);
    expect(checks[0]!.ratio).toBeCloseTo(1.1);
    expect(verdict(checks[0]!)).toBe("MISSED");
    // 40 µs of server CPU per call against 25: 1.6× cheaper on rpcgen's side.
    expect(checks[1]!.ratio).toBeCloseTo(32 / 8_000 / (22 / 8_800));
    expect(checks[2]!.ratio).toBeCloseTo(1.01);
  });

  it("prints one table row per result, with the failure in the note", () => {
    const failed = {
      ...result("thrift", "binary", 256, 0),
      status: "timeout" as const,
      message: "no result within 90 s",
      repetitions: 0,
    };
    const table = markdownTable([results[0]!, failed]).split("\n");
    expect(table).toHaveLength(4);
    expect(table[2]).toContain(
      "| rpcgen | binary | echo | 1 | 0 | 64 | 100000 |",
    );
    expect(table[3]).toContain("TIMEOUT: no result within 90 s");
  });
});
