import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { CaseSpec } from "../../bench/case-spec.js";
import { generateStubs } from "../../bench/generate-stubs.js";
import { runClient, ServerProcess } from "../../bench/peer-process.js";

// The peer processes import every framework's generated code (git-ignored
// bench/gen/), so generate it as `npm run bench` does; a fresh clone has none.
beforeAll(() => generateStubs());

// The peers are TypeScript run through tsx, as under `npm run bench`.
const flags = {
  serverFlags: ["--import", "tsx"],
  clientFlags: ["--import", "tsx"],
};

const rawEcho = (extra: Partial<CaseSpec> = {}): CaseSpec => ({
  server: { framework: "raw", workers: 0 },
  codec: "json",
  workload: "echo",
  connections: 2,
  concurrency: 8,
  calls: 400,
  repSeconds: 0.05,
  warmupCalls: 50,
  repetitions: 2,
  ...extra,
});

let server: ServerProcess | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe("bench peer processes", () => {
  it("runs a case's repetitions against a server process and measures the server's window", async () => {
    server = await ServerProcess.start(rawEcho().server, flags, 20_000);
    const outcome = await runClient(rawEcho(), server, flags, 30_000);
    expect(outcome.status).toBe("ok");
    expect(outcome.samples).toHaveLength(2);
    for (const sample of outcome.samples) {
      expect(sample.calls).toBe(sample.calls | 0);
      expect(sample.calls).toBeGreaterThanOrEqual(100);
      expect(sample.p99Ms).toBeGreaterThanOrEqual(sample.p50Ms);
      expect(sample.server.cpuMicros).toBeGreaterThan(0);
      expect(sample.server.peakRssBytes).toBeGreaterThan(0);
    }
  });

  it("reports the server's RSS once every park call is parked, then releases them", async () => {
    const spec = rawEcho({ parkCalls: 500, connections: 1, repetitions: 1 });
    server = await ServerProcess.start(spec.server, flags, 20_000);
    const outcome = await runClient(spec, server, flags, 30_000);
    expect(outcome.status).toBe("ok");
    expect(outcome.status === "ok" && outcome.parkedRssBytes).toBeGreaterThan(
      0,
    );
    expect(outcome.samples[0]!.calls).toBe(500);
  });

  it("reports a case that overruns its hard timeout as timed out", async () => {
    // Ten million calls (the cap wins over a 1e6 s repetition) cannot finish in 1.5 s.
    const spec = rawEcho({
      concurrency: 1,
      calls: 10_000_000,
      repSeconds: 1e6,
      warmupCalls: 10,
      repetitions: 1,
    });
    server = await ServerProcess.start(spec.server, flags, 20_000);
    const outcome = await runClient(spec, server, flags, 1_500);
    expect(outcome.status).toBe("timeout");
    expect(outcome.status !== "ok" && outcome.message).toMatch(
      /no result within/,
    );
  });
});
