/**
 * The benchmark suite: `npm run bench [-- --quick] [-- --json] [-- --filter REGEX] [-- --reps N] [-- --write-docs]`.
 * Run it through tsx with bench/tsconfig.run.json (as the npm script does), so
 * that `@rpcgen/runtime` is the built dist/, as for a user.
 *
 * rpcgen (binary, JSON, RESP), grpc-js, Apache Thrift and a raw `net` baseline,
 * each server in its own process and each case's client in another, over
 * loopback; then the side benches (bench/side-benches.ts) and the generator.
 * Prints the tables and every target (or, with --json, one JSON object per
 * result and per target on stdout). A full run (or --write-docs) writes
 * docs/bench-echo.svg and rewrites the figures of docs/BENCHMARKS.md and the
 * README between their `bench:` markers.
 */
import { writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath } from "node:url";
import { summarize, toJsonLine, type CaseResult } from "./case-result.js";
import { buildMatrix, caseName } from "./case-matrix.js";
import type { CaseSpec } from "./case-spec.js";
import { echoChartSvg } from "./report-chart.js";
import { staleDistWarning } from "./dist-freshness.js";
import { generateStubs } from "./generate-stubs.js";
import { updateBenchmarksDoc, updateReadme } from "./docs-update.js";
import { generatorTable, runGeneratorBench, staleGeneratorWarning } from "./generator-bench.js";
import { generatorTargets } from "./generator-targets.js";
import { readmeSummary } from "./report-readme.js";
import type { SideBench } from "./side-bench.js";
import { runSideBenches } from "./side-benches.js";
import { bundlePeerEntries } from "./peer-entry.js";
import { runClient, ServerProcess } from "./peer-process.js";
import { markdownTable } from "./report-table.js";
import { checkTargets, formatTargets, type TargetCheck } from "./target-ratios.js";
import { ensureBenchTls } from "./tls-mode.js";

const argv = process.argv.slice(2);
const jsonOutput = argv.includes("--json");
const quick = argv.includes("--quick");
const filter = optionValue("--filter");
/** Rewrite docs/BENCHMARKS.md's figures and the README's summary: always after a full unfiltered run, on request otherwise. */
const writeDocs = argv.includes("--write-docs");
const repetitions = Number(optionValue("--reps") ?? (quick ? 1 : 5));
const chartPath = fileURLToPath(
  new URL("../docs/bench-echo.svg", import.meta.url),
);

/** Hard limits: a case's client, and a server's start. */
const caseTimeoutMs = quick ? 20_000 : 90_000;
const serverStartTimeoutMs = 20_000;

/** Progress and tables go to stderr in --json mode, so stdout holds only result lines. */
const log = (line: string): void =>
  void (jsonOutput ? process.stderr : process.stdout).write(`${line}\n`);

await main();

async function main(): Promise<void> {
  if (!Number.isInteger(repetitions) || repetitions < 1)
    throw new Error(`--reps must be a positive integer`);
  const stale = staleDistWarning();
  if (stale !== undefined) process.stderr.write(`warning: ${stale}\n`);
  generateStubs();
  await bundlePeerEntries(["server-main.ts", "client-main.ts"]);
  const pattern = filter === undefined ? undefined : new RegExp(filter);
  const cases = buildMatrix({ quick, repetitions }).filter(
    (spec) => pattern?.test(caseName(spec)) ?? true,
  );
  const started = performance.now();
  const startLoad = loadavg()[0]!;
  log(
    `rpcgen bench: ${cases.length} cases, ${repetitions} repetition(s) each${quick ? " (quick)" : ""}`,
  );
  const results: CaseResult[] = [];
  let server: ServerProcess | undefined;
  let serverKey = "";
  try {
    for (const spec of cases) {
      const key = serverKeyOf(spec);
      if (server === undefined || !server.alive || key !== serverKey) {
        await server?.stop();
        server = undefined;
        serverKey = key;
        // Read by the forked rpcgen server (bench/observe-mode.ts).
        process.env["RPCGEN_BENCH_OBSERVE"] = spec.server.observe ?? "";
        // TLS cases: the certificates are made once per run; the forked server and clients read them (bench/tls-mode.ts).
        if (spec.server.tls === true) ensureBenchTls();
        try {
          server = await ServerProcess.start(
            spec.server,
            {},
            serverStartTimeoutMs,
          );
        } catch (error) {
          results.push(report(failedResult(spec, error)));
          continue;
        }
      }
      const outcome = await runClient(spec, server, {}, caseTimeoutMs);
      // A timed-out or failed case may have wedged the server: the next case gets a fresh one.
      if (outcome.status !== "ok") server.kill();
      results.push(report(summarize(spec, outcome)));
    }
  } finally {
    await server?.stop();
  }
  log("");
  log(markdownTable(results));
  const targets: TargetCheck[] = checkTargets(results);
  // Benchmarks with their own peers and load generators (redis-benchmark, 10,000 connections).
  const side: SideBench[] = await runSideBenches(pattern, { quick, log });
  for (const bench of side) {
    log(`\n${bench.title}\n\n${bench.markdown}`);
    targets.push(...bench.targets);
    if (jsonOutput)
      for (const row of bench.rows) process.stdout.write(`${JSON.stringify({ kind: bench.title, ...row })}\n`);
  }
  // The generator row: rpcgen and Apache Thrift's compiler on one large IDL program.
  let generator = "";
  if (pattern?.test("generator") ?? true) {
    const stale = staleGeneratorWarning();
    if (stale !== undefined) process.stderr.write(`warning: ${stale}\n`);
    const run = runGeneratorBench(quick ? 3 : 7);
    generator = generatorTable(run);
    targets.push(...generatorTargets(run));
    log(`\n${generator}`);
  }
  const targetsTable = formatTargets(targets);
  log(`\n${targetsTable}`);
  if (jsonOutput)
    for (const target of targets) process.stdout.write(
        `${JSON.stringify({ kind: "target", name: target.name, measured: target.ratio ?? null, comparison: target.kind, want: target.want })}\n`,
      );
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  const fullRun = !quick && filter === undefined;
  if (fullRun) {
    writeFileSync(chartPath, echoChartSvg(results));
    log(`\nchart written to ${chartPath}`);
  }
  if (fullRun || writeDocs) {
    const runLine =
      `\`npm run bench${argv.length === 0 ? "" : ` -- ${argv.join(" ")}`}\` on ${new Date().toISOString().slice(0, 10)}: ` +
      `${cases.length} cases × ${repetitions} repetition(s) and ${side.length} side benches in ${seconds} s, ` +
      `${cpus().length} cores, Node ${process.versions.node}, load average ${startLoad.toFixed(1)} at the start.`;
    updateBenchmarksDoc({
      run: runLine,
      results: markdownTable(results),
      targets: targetsTable,
      side: [...side.map((bench) => `### ${bench.title}\n\n${bench.markdown}`), generator].join("\n\n"),
    });
    updateReadme({ readme: readmeSummary(results, targets, runLine) });
    log("docs/BENCHMARKS.md and README.md figures rewritten from this run");
  }
  log(`\ntotal ${seconds} s`);
}

/** Cases share a server while framework, workers and workload stay the same; RSS then reflects the workload. */
function serverKeyOf(spec: CaseSpec): string {
  return `${spec.server.framework}/${spec.server.workers}/${spec.workload}/${spec.parkCalls ?? ""}/${spec.server.offload ?? false}/${spec.server.observe ?? ""}/${spec.server.tls ?? false}`;
}

function report(result: CaseResult): CaseResult {
  if (jsonOutput)
    process.stdout.write(`${JSON.stringify(toJsonLine(result))}\n`);
  const figures =
    result.status === "ok"
      ? `${result.callsPerSec} calls/s, p50 ${result.p50Ms} ms, p99 ${result.p99Ms} ms, server ${result.serverCpuPct}% CPU ${result.serverRssMb} MB`
      : `${result.status}: ${result.message ?? ""}`;
  const line = `${caseName(result.spec).padEnd(48)} ${figures}`;
  if (jsonOutput) process.stderr.write(`${line}\n`);
  else log(line);
  return result;
}

function failedResult(spec: CaseSpec, error: unknown): CaseResult {
  return summarize(spec, {
    status: "failed",
    message: error instanceof Error ? error.message : String(error),
    samples: [],
  });
}

function optionValue(name: string): string | undefined {
  const index = argv.indexOf(name);
  return index === -1 ? undefined : argv[index + 1];
}
