/**
 * The generator row of the benchmark: rpcgen generating from, and checking,
 * a large IDL program (bench/big-idl.ts: about 460 KB with its includes)
 * beside Apache Thrift's compiler (`thrift -r --gen js:ts`) on the same files
 * in the same run. Each command runs as a user runs it, as a fresh process
 * (`node bin/rpcgen`, the built dist/), several times; the table gives the
 * median and the fastest wall time, and the load average of the machine,
 * since other work on it slows every process down. For rpcgen it also gives
 * the CPU time of the process's main thread (Linux), which other load hardly
 * changes: on an otherwise idle machine that is about the wall time, node's
 * compiler and collector threads running beside it on the other core.
 *
 *   npx tsx bench/generator-bench.ts [--reps N]
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { writeBigIdl } from "./big-idl.js";

const repoRoot = fileURLToPath(new URL("../", import.meta.url));
const rpcgenBin = path.join(repoRoot, "bin/rpcgen");

/** One command's figures. */
export interface GeneratorRow {
  readonly tool: string;
  readonly command: string;
  /** Undefined when the command could not run (the reason is in `failure`). */
  readonly medianMs: number | undefined;
  readonly minMs: number | undefined;
  /** Fastest main-thread CPU time, where it can be read. */
  readonly mainThreadCpuMs: number | undefined;
  readonly failure: string | undefined;
}

/** Runs the three commands `repetitions` times each, in turn, on one copy of the big IDL program. */
export function runGeneratorBench(repetitions: number): { rows: GeneratorRow[]; idlBytes: number; loadAverage: number } {
  const work = mkdtempSync(path.join(tmpdir(), "rpcgen-generator-bench-"));
  try {
    const root = writeBigIdl(path.join(work, "idl"));
    const idlBytes = idlSize(path.dirname(root));
    const node = [process.execPath, ...mainThreadCpuProbe()];
    const commands = [
      { tool: "rpcgen", label: "rpcgen <idl> -o out", file: node[0]!, args: [...node.slice(1), rpcgenBin, root, "-o", path.join(work, "rpcgen")] },
      { tool: "rpcgen", label: "rpcgen --check <idl>", file: node[0]!, args: [...node.slice(1), rpcgenBin, "--check", root] },
      { tool: "Apache Thrift", label: "thrift -r --gen js:ts", file: "thrift", args: ["-r", "--gen", "js:ts", "-out", work, root] },
    ];
    const times = commands.map((): number[] => []);
    const cpuTimes = commands.map((): number[] => []);
    const failures = commands.map((): string | undefined => undefined);
    // Interleaved, so a burst of load elsewhere on the machine falls on all three alike.
    for (let rep = 0; rep < repetitions; rep++) {
      commands.forEach((command, index) => {
        if (failures[index] !== undefined) return;
        const started = process.hrtime.bigint();
        const result = spawnSync(command.file, command.args, { cwd: work, encoding: "utf8", timeout: 120_000 });
        const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
        if (result.error !== undefined || result.status !== 0) failures[index] = describeFailure(result.error, result.stderr);
        else times[index]!.push(elapsed);
        const cpu = /main-thread-cpu-ms=(\d+)/.exec(result.stderr ?? "")?.[1];
        if (cpu !== undefined) cpuTimes[index]!.push(Number(cpu));
      });
    }
    const rows = commands.map((command, index): GeneratorRow => {
      const sorted = times[index]!.sort((a, b) => a - b);
      return {
        tool: command.tool,
        command: command.label,
        medianMs: sorted.length === 0 ? undefined : sorted[Math.floor(sorted.length / 2)],
        minMs: sorted[0],
        mainThreadCpuMs: cpuTimes[index]!.length === 0 ? undefined : Math.min(...cpuTimes[index]!),
        failure: failures[index],
      };
    });
    return { rows, idlBytes, loadAverage: loadavg()[0]! };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The markdown table of a run. */
export function generatorTable(run: ReturnType<typeof runGeneratorBench>): string {
  const kb = Math.round(run.idlBytes / 1024);
  const lines = [
    `Generator: a ${kb} KB IDL program (bench/big-idl.ts), fresh process per run, load average ${run.loadAverage.toFixed(1)}`,
    "",
    "| tool | command | median | fastest | main-thread CPU |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const row of run.rows) {
    const figures =
      row.failure === undefined
        ? `${ms(row.medianMs)} | ${ms(row.minMs)} | ${ms(row.mainThreadCpuMs)}`
        : `failed: ${row.failure} | - | -`;
    lines.push(`| ${row.tool} | \`${row.command}\` | ${figures} |`);
  }
  return lines.join("\n");
}

/** A warning when dist/ is older than the IDL front end or the generator, which the bench runs from dist/. */
export function staleGeneratorWarning(): string | undefined {
  let built: number;
  try {
    built = statSync(path.join(repoRoot, "dist/generator/cli/main.js")).mtimeMs;
  } catch {
    return "dist/generator is missing: run `npm run build` first";
  }
  const newer = ["idl", "generator", "templates"].some((dir) => newestMtime(path.join(repoRoot, dir)) > built);
  return newer ? "dist/ is older than idl/, generator/ or templates/: run `npm run build`" : undefined;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const entryPath = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(entryPath) : statSync(entryPath).mtimeMs);
  }
  return newest;
}

function idlSize(dir: string): number {
  return readdirSync(dir).reduce((total, name) => total + statSync(path.join(dir, name)).size, 0);
}

/**
 * node options that make a node process print its main thread's CPU time on
 * exit (`main-thread-cpu-ms=N` on stderr), read from /proc; none where there is no /proc.
 */
function mainThreadCpuProbe(): string[] {
  if (!existsSync("/proc/self/task")) return [];
  const probe = [
    'import { readFileSync } from "node:fs";',
    'process.on("exit", () => {',
    '  const fields = readFileSync(`/proc/${process.pid}/task/${process.pid}/stat`, "utf8").split(") ")[1].split(" ");',
    "  const ticks = Number(fields[11]) + Number(fields[12]);",
    "  process.stderr.write(`main-thread-cpu-ms=${ticks * 10}\\n`);",
    "});",
  ].join("\n");
  return ["--import", `data:text/javascript,${encodeURIComponent(probe)}`];
}

function describeFailure(error: Error | undefined, stderr: string): string {
  if ((error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") return "not installed";
  return (error?.message ?? stderr.trim().split("\n")[0] ?? "failed").slice(0, 80);
}

function ms(value: number | undefined): string {
  return value === undefined ? "-" : `${(value / 1000).toFixed(3)} s`;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const repsIndex = process.argv.indexOf("--reps");
  const repetitions = repsIndex === -1 ? 7 : Number(process.argv[repsIndex + 1]);
  const stale = staleGeneratorWarning();
  if (stale !== undefined) process.stderr.write(`warning: ${stale}\n`);
  process.stdout.write(`${generatorTable(runGeneratorBench(repetitions))}\n`);
}
