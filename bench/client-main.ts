/**
 * A bench client process: `client-main.ts <case JSON> <port>`, forked by
 * bench/run.ts. Warms up, then runs the case's repetitions; each one is
 * bracketed by "begin"/"end" messages so the orchestrator can measure the
 * server over exactly that window.
 */
import type { CaseSpec, ClientMessage } from "./case-spec.js";
import type { BenchClient, ClientFactory } from "./clients/bench-client.js";
import { openGrpcClient } from "./clients/grpc-client.js";
import { openGrpcToRpcgenClient } from "./clients/grpc-to-rpcgen-client.js";
import { openRawClient } from "./clients/raw-client.js";
import { openRpcgenClient } from "./clients/rpcgen-client.js";
import { openThriftClient } from "./clients/thrift-client.js";
import { quantile } from "./latency-stats.js";

const factories: Record<CaseSpec["server"]["framework"], ClientFactory> = {
  rpcgen: openRpcgenClient,
  "grpc-js": openGrpcClient,
  thrift: openThriftClient,
  raw: openRawClient,
};

const spec = JSON.parse(process.argv[2]!) as CaseSpec;
const port = Number(process.argv[3]);

main().then(
  () => process.exit(0),
  (error: unknown) => {
    send({
      type: "failed",
      message: error instanceof Error ? error.message : String(error),
    });
    process.exit(1);
  },
);

async function main(): Promise<void> {
  // codec "grpc" on an rpcgen server: grpc-js's client against rpcgen's gRPC side; "thrift": Apache Thrift's npm client against its Thrift side.
  const foreign = spec.server.framework === "rpcgen" ? { grpc: openGrpcToRpcgenClient, thrift: openThriftClient }[spec.codec] : undefined;
  const factory = foreign ?? factories[spec.server.framework];
  const client = await factory(spec, port);
  send({ type: "ready" });
  if (spec.parkCalls !== undefined) {
    await window(() => parkAll(client, spec.parkCalls!));
  } else {
    const warmup = await runCalls(client, spec.warmupCalls, spec.concurrency);
    const calls = calibratedCalls(warmup);
    for (let rep = 0; rep < spec.repetitions; rep++) {
      await window(() => runCalls(client, calls, spec.concurrency));
    }
  }
  await client.close();
  send({ type: "done" });
}

interface CallFigures {
  seconds: number;
  calls: number;
  p50Ms: number;
  p99Ms: number;
  clientCpuMicros: number;
}

/** The fixed call count of every repetition: what the warm-up rate does in repSeconds, within bounds. */
function calibratedCalls(warmup: CallFigures): number {
  if (warmup.calls === 0 || warmup.seconds === 0) return spec.calls;
  const rate = warmup.calls / warmup.seconds;
  const floor = Math.min(spec.calls, Math.max(spec.concurrency * 4, 100));
  return Math.max(
    floor,
    Math.min(spec.calls, Math.round(rate * spec.repSeconds)),
  );
}

/** Runs `measure` between a begin (answered by "go" once the server's window is open) and an end. */
async function window(measure: () => Promise<CallFigures>): Promise<void> {
  const go = new Promise<void>((resolve) =>
    process.once("message", () => resolve()),
  );
  send({ type: "begin" });
  await go;
  const figures = await measure();
  send({ type: "end", ...figures });
}

/** `calls` calls, `concurrency` of them in flight at any time. */
async function runCalls(
  client: BenchClient,
  calls: number,
  concurrency: number,
): Promise<CallFigures> {
  const latencies = new Float64Array(calls);
  let issued = 0;
  const worker = async (): Promise<void> => {
    while (issued < calls) {
      const slot = issued++;
      const started = performance.now();
      await client.call();
      latencies[slot] = performance.now() - started;
    }
  };
  const cpuAtStart = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, calls) }, worker),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuAtStart);
  latencies.sort();
  return {
    seconds,
    calls,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    clientCpuMicros: cpu.user + cpu.system,
  };
}

/** Every park call at once; they return together when the server releases them. */
async function parkAll(
  client: BenchClient,
  calls: number,
): Promise<CallFigures> {
  const cpuAtStart = process.cpuUsage();
  const started = performance.now();
  await Promise.all(Array.from({ length: calls }, (_, id) => client.park(id)));
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuAtStart);
  return {
    seconds,
    calls,
    p50Ms: 0,
    p99Ms: 0,
    clientCpuMicros: cpu.user + cpu.system,
  };
}

function send(message: ClientMessage): void {
  process.send?.(message);
}
