/**
 * Runs redis-benchmark (Redis's own C load generator) with one explicit command
 * and reads its requests per second from the CSV it prints. The same client
 * binary loads rpcgen and redis-server, so the ratio compares the servers only.
 */
import { execFile } from "node:child_process";

export interface RedisBenchmarkRun {
  port: number;
  /** Parallel connections (-c). */
  clients: number;
  /** Total requests (-n). */
  requests: number;
  /** Commands pipelined per connection (-P). */
  pipeline: number;
  /** The command and its arguments, e.g. ["CALL", "Calculator.add", "1", "2"]. */
  command: readonly string[];
  timeoutMs: number;
}

/** Requests per second as redis-benchmark counted them. */
export function runRedisBenchmark(run: RedisBenchmarkRun): Promise<number> {
  const args = [
    "-h", "127.0.0.1", "-p", String(run.port),
    "-c", String(run.clients), "-n", String(run.requests), "-P", String(run.pipeline),
    "--csv", ...run.command,
  ];
  return new Promise((resolve, reject) => {
    execFile("redis-benchmark", args, { timeout: run.timeoutMs, killSignal: "SIGKILL" }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`redis-benchmark ${run.command.join(" ")} failed: ${error.message} ${stderr.trim()}`));
        return;
      }
      try {
        resolve(parseRequestsPerSecond(stdout));
      } catch (parseError) {
        reject(parseError);
      }
    });
  });
}

/** The "rps" column of redis-benchmark's --csv output (a header row, then one row per test). */
export function parseRequestsPerSecond(csv: string): number {
  const rows = csv.trim().split("\n").map((line) => line.split(",").map((cell) => cell.replace(/^"|"$/g, "")));
  const column = rows[0]?.indexOf("rps") ?? -1;
  const value = Number(rows[1]?.[column]);
  if (column === -1 || !Number.isFinite(value) || value <= 0) throw new Error(`no requests/s in redis-benchmark's output: ${csv.slice(0, 200)}`);
  return value;
}
