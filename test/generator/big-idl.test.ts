import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIG_IDL_ROOT, writeBigIdl } from "../../bench/big-idl.js";
import { loadProgram } from "../../idl/load-program.js";
import { scratchDir } from "./support/generated-dir.js";

// The generator benchmark's input (bench/generator-bench.ts): it must be what the issue
// measured, a ~460 KB program around a ~170 KB root, valid for rpcgen and Apache Thrift alike.
const scratch = scratchDir("big-idl");
afterAll(() => scratch.dispose());

describe("the benchmark's big IDL program", () => {
  const root = writeBigIdl(path.join(scratch.dir, "idl"));
  const dir = path.dirname(root);

  it("is about 460 KB with a root of about 170 KB", () => {
    const total = readdirSync(dir).reduce((sum, name) => sum + statSync(path.join(dir, name)).size, 0);
    expect(total).toBeGreaterThan(420_000);
    expect(total).toBeLessThan(500_000);
    expect(statSync(path.join(dir, BIG_IDL_ROOT)).size).toBeGreaterThan(150_000);
  });

  it("checks without a diagnostic", () => {
    const { diagnostics, program } = loadProgram([root]);
    expect(diagnostics).toEqual([]);
    expect(program.files.size).toBe(7);
  });

  it("is accepted by Apache Thrift's compiler", () => {
    const result = spawnSync("thrift", ["-r", "--gen", "js:ts", "-out", scratch.dir, root], { encoding: "utf8" });
    expect(`${result.stdout}${result.stderr}`).toBe("");
    expect(result.status).toBe(0);
  });
});
