import type { CaseSpec } from "./case-spec.js";
import { median, spreadPct } from "./latency-stats.js";
import type { ClientOutcome } from "./peer-process.js";

const MiB = 1024 * 1024;

/** The figures of one case: medians over its repetitions, and how far they spread. */
export interface CaseResult {
  spec: CaseSpec;
  status: "ok" | "timeout" | "failed";
  message?: string;
  repetitions: number;
  callsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  serverCpuPct: number;
  serverRssMb: number;
  /** CPU% of the client process (100 = one core), for context: the client shares the machine. */
  clientCpuPct: number;
  /** Calls in each repetition (calibrated on the warm-up). */
  callsPerRepetition: number;
  /** 1 MiB workload: payload MiB echoed per second (one direction). */
  mbPerSec?: number;
  /** (max - min) / median of calls/s over the repetitions, in percent. */
  callsPerSecSpreadPct: number;
  p99SpreadPct: number;
  /** Memory case: server RSS with every call parked. */
  parkedRssMb?: number;
}

/** Reduces a client outcome to the case's figures. */
export function summarize(spec: CaseSpec, outcome: ClientOutcome): CaseResult {
  const samples = outcome.samples;
  const rates = samples.map((s) => s.calls / s.seconds);
  const p99s = samples.map((s) => s.p99Ms);
  const result: CaseResult = {
    spec,
    status: outcome.status,
    repetitions: samples.length,
    callsPerSec: round(median(rates), 0),
    p50Ms: round(median(samples.map((s) => s.p50Ms)), 3),
    p99Ms: round(median(p99s), 3),
    serverCpuPct: round(
      median(
        samples.map(
          (s) => (s.server.cpuMicros / (s.server.seconds * 1e6)) * 100,
        ),
      ),
      1,
    ),
    serverRssMb: round(
      median(samples.map((s) => s.server.peakRssBytes / MiB)),
      1,
    ),
    clientCpuPct: round(
      median(samples.map((s) => (s.clientCpuMicros / (s.seconds * 1e6)) * 100)),
      1,
    ),
    callsPerRepetition: samples[0]?.calls ?? 0,
    callsPerSecSpreadPct: round(spreadPct(rates), 1),
    p99SpreadPct: round(spreadPct(p99s), 1),
  };
  if (outcome.status !== "ok") result.message = outcome.message;
  if (spec.workload === "1mib") result.mbPerSec = round(median(rates), 1);
  if (outcome.status === "ok" && outcome.parkedRssBytes !== undefined) {
    result.parkedRssMb = round(outcome.parkedRssBytes / MiB, 1);
  }
  return result;
}

/** The result as one `--json` line's object. */
export function toJsonLine(result: CaseResult): Record<string, unknown> {
  const { spec } = result;
  return {
    framework: spec.server.framework,
    codec: spec.codec,
    workload: spec.workload,
    connections: spec.connections,
    workers: spec.server.workers,
    concurrency: spec.concurrency,
    callsPerSec: result.callsPerSec,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    serverCpuPct: result.serverCpuPct,
    serverRssMb: result.serverRssMb,
    clientCpuPct: result.clientCpuPct,
    ...(result.mbPerSec === undefined ? {} : { mbPerSec: result.mbPerSec }),
    ...(result.parkedRssMb === undefined
      ? {}
      : { parkedRssMb: result.parkedRssMb }),
    ...(spec.label === undefined ? {} : { label: spec.label }),
    ...(spec.governed === true ? { governed: true } : {}),
    status: result.status,
    ...(result.message === undefined ? {} : { message: result.message }),
    repetitions: result.repetitions,
    callsPerRepetition: result.callsPerRepetition,
    callsPerSecSpreadPct: result.callsPerSecSpreadPct,
    p99SpreadPct: result.p99SpreadPct,
  };
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
