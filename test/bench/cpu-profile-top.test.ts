import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import {
  formatSelfTime,
  readCpuProfile,
  topSelfTime,
} from "../../bench/cpu-profile-top.js";

const frame = (functionName: string, lineNumber = 0) => ({
  functionName,
  // The report shows paths relative to the working directory, wherever the checkout is.
  url: pathToFileURL(join(process.cwd(), "dist/runtime/x.js")).href,
  lineNumber,
  columnNumber: 0,
  scriptId: "1",
});

// Three nodes: idle, encode (two samples, 30 µs) and decode (one sample, 10 µs).
const profile = {
  startTime: 1_000,
  endTime: 1_100,
  nodes: [
    { id: 1, callFrame: frame("(idle)") },
    { id: 2, callFrame: frame("encode", 9) },
    { id: 3, callFrame: frame("decode", 19) },
  ],
  samples: [1, 2, 3, 2],
  timeDeltas: [50, 10, 10, 20],
};

const dir = mkdtempSync(join(tmpdir(), "cpuprofile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("cpu profile top self time", () => {
  it("ranks functions by self time as a share of busy time", () => {
    const rows = topSelfTime(profile, 20);
    expect(rows.map((row) => row.functionName)).toEqual(["encode", "decode"]);
    expect(rows[0]!.selfPct).toBeCloseTo(75);
    expect(rows[0]!.selfMs).toBeCloseTo(0.03);
    expect(rows[0]!.location).toBe("dist/runtime/x.js:10");
  });

  it("leaves out samples taken before the given instant", () => {
    // Samples are at 1050, 1060, 1070 and 1090 µs: from 1065 only decode (1070) and encode (1090) count.
    const rows = topSelfTime(profile, 20, 1_065);
    expect(rows.map((row) => [row.functionName, row.selfMs * 1000])).toEqual([
      ["encode", 20],
      ["decode", 10],
    ]);
  });

  it("reads a profile file and refuses one that is not a CPU profile", () => {
    const good = join(dir, "good.cpuprofile");
    const bad = join(dir, "bad.cpuprofile");
    writeFileSync(good, JSON.stringify(profile));
    writeFileSync(bad, JSON.stringify({ nodes: [] }));
    expect(formatSelfTime(topSelfTime(readCpuProfile(good), 1))).toContain(
      "encode",
    );
    expect(() => readCpuProfile(bad)).toThrow(/not a V8 CPU profile/);
  });
});
