import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasStackTrace, repoRoot, runRpcgen } from "./cli-process.js";

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "rpcgen-cli-"));
  writeFileSync(path.join(dir, "good.thrift"), "struct Point {\n  1: i32 x\n  2: i32 y\n}\n");
  writeFileSync(path.join(dir, "warn.thrift"), "struct Loose {\n  i32 noId\n}\n");
  writeFileSync(
    path.join(dir, "bad.thrift"),
    ["struct A {", "  1: Missing m", "}", "const i8 SMALL = 300", "service S { oneway i32 f() }", ""].join("\n"),
  );
  writeFileSync(path.join(dir, "syntax.thrift"), "struct {\n");
  writeFileSync(
    path.join(dir, "hints.thrift"),
    [
      "struct Event {",
      '  1: i64 at (ts.type = "float")',
      "}",
      "service Orders {",
      '  void cancel(1: i64 id) (rpc.policy = "failfoo", rpc.timeout = "soon")',
      "}",
      "",
    ].join("\n"),
  );
  writeFileSync(path.join(dir, "uses-lib.thrift"), 'include "lib.thrift"\nstruct U { 1: lib.L l }\n');
  mkdirSync(path.join(dir, "libs"));
  writeFileSync(path.join(dir, "libs", "lib.thrift"), "struct L {}\n");
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe("rpcgen --check", () => {
  it("exits 0 and prints nothing for a valid file", () => {
    const run = runRpcgen(["--check", "good.thrift"], dir);
    expect(run).toEqual({ code: 0, stdout: "", stderr: "" });
  });

  it("exits 0 with warnings, printed with a caret", () => {
    const run = runRpcgen(["--check", "warn.thrift"], dir);
    expect(run.code).toBe(0);
    const lines = run.stderr.split("\n");
    expect(lines[0]).toMatch(/^warn\.thrift:2:3: warning: .+ \[W_IMPLICIT_FIELD_ID\]$/);
    expect(lines[1]).toBe("  i32 noId");
    expect(lines[2]).toMatch(/^  \^~*$/);
    expect(run.stderr).toContain("rpcgen: 0 errors, 1 warning");
  });

  it("exits 1 and prints every error with its source line and caret", () => {
    const run = runRpcgen(["--check", "bad.thrift"], dir);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr.split("\n")).toEqual([
      'bad.thrift:2:6: error: unknown type "Missing" [E_UNKNOWN_TYPE]',
      "  1: Missing m",
      "     ^~~~~~~",
      "bad.thrift:4:18: error: 300 is out of range for i8 (-128..127) [E_CONST_RANGE]",
      "const i8 SMALL = 300",
      "                 ^~~",
      "bad.thrift:5:20: error: oneway method S.f must return void: the caller never gets a reply [E_ONEWAY_RETURN]",
      "service S { oneway i32 f() }",
      "                   ^~~",
      "rpcgen: 3 errors, 0 warnings",
      "",
    ]);
  });

  it("reports every error generation would, annotations included", () => {
    const check = runRpcgen(["--check", "hints.thrift"], dir);
    expect(check.code).toBe(1);
    const codes = (stderr: string) => [...stderr.matchAll(/\[(E_\w+)\]$/gm)].map((m) => m[1]);
    expect(codes(check.stderr)).toEqual(["E_GEN_TS_TYPE", "E_GEN_RPC_ANNOTATION", "E_GEN_RPC_ANNOTATION"]);
    const generate = runRpcgen(["hints.thrift", "-o", "hints-out"], dir);
    expect(generate.code).toBe(1);
    expect(generate.stderr).toBe(check.stderr);
  });

  it("exits 1 on syntax errors, without a stack trace", () => {
    const run = runRpcgen(["--check", "syntax.thrift"], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^syntax\.thrift:1:8: error: .+ \[E_SYNTAX\]$/m);
    expect(hasStackTrace(run.stderr)).toBe(false);
  });

  it("prints absolute paths for files outside the working directory", () => {
    const run = runRpcgen(["--check", path.join(dir, "bad.thrift")], repoRoot);
    expect(run.code).toBe(1);
    expect(run.stderr.split("\n")[0]).toBe(
      `${path.join(dir, "bad.thrift")}:2:6: error: unknown type "Missing" [E_UNKNOWN_TYPE]`,
    );
  });

  it("prints JSON on stdout with --json", () => {
    const run = runRpcgen(["--check", "--json", "bad.thrift", "warn.thrift"], dir);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("");
    const report = JSON.parse(run.stdout);
    expect(report.errorCount).toBe(3);
    expect(report.warningCount).toBe(1);
    expect(report.diagnostics[0]).toEqual({
      file: "bad.thrift",
      line: 2,
      column: 6,
      endLine: 2,
      endColumn: 13,
      severity: "error",
      code: "E_UNKNOWN_TYPE",
      message: 'unknown type "Missing"',
    });
  });

  it("prints an empty JSON report for a valid file", () => {
    const run = runRpcgen(["--check", "--json", "good.thrift"], dir);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ diagnostics: [], errorCount: 0, warningCount: 0 });
  });

  it("finds includes through -I / --include-dir, and reports them missing without", () => {
    expect(runRpcgen(["--check", "-I", "libs", "uses-lib.thrift"], dir).code).toBe(0);
    expect(
      runRpcgen(["--check", "--include-dir", "nothing-here", "--include-dir", "libs", "uses-lib.thrift"], dir).code,
    ).toBe(0);
    const without = runRpcgen(["--check", "uses-lib.thrift"], dir);
    expect(without.code).toBe(1);
    expect(without.stderr).toMatch(
      /^uses-lib\.thrift:1:1: error: included file "lib\.thrift" not found .+ \[E_INCLUDE_NOT_FOUND\]$/m,
    );
  });

  it("exits 2 for a file that cannot be read, without a stack trace", () => {
    const run = runRpcgen(["--check", "missing.thrift"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("missing.thrift:1:1: error: cannot read file: no such file [E_READ_FILE]");
    expect(hasStackTrace(run.stderr)).toBe(false);
  });

  it("exits 2 for a directory given as a file", () => {
    const run = runRpcgen(["--check", "libs"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("[E_READ_FILE]");
  });

  it("checks the whole corpus in one run (BrokenConstants aside)", () => {
    const corpus = path.resolve(repoRoot, "../shared/corpus/thrift");
    const run = runRpcgen(["--check", "--json", "apache-thrift/ThriftTest.thrift", "jaeger-idl/agent.thrift"], corpus);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).errorCount).toBe(0);
  });
});

describe("rpcgen usage", () => {
  it("prints help with every option and exits 0", () => {
    const run = runRpcgen(["--help"], dir);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Usage: rpcgen [options] <file...>");
    for (const option of [
      "--check",
      "--json",
      "-I, --include-dir <dir>",
      "-o, --out <dir>",
      "--watch",
      "--templates <dir>",
      "--skeleton",
      "--verify",
      "--i64 <type>",
      "--version",
      "--help",
    ]) {
      expect(run.stdout).toContain(option);
    }
  });

  it("prints the version from package.json", () => {
    const { version } = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { version: string };
    expect(runRpcgen(["--version"], dir)).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
  });

  it("exits 2 when no file is given", () => {
    const run = runRpcgen(["--check"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("rpcgen: missing required argument 'file'");
    expect(hasStackTrace(run.stderr)).toBe(false);
  });

  it("exits 2 for an unknown option", () => {
    const run = runRpcgen(["--check", "--frobnicate", "good.thrift"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("rpcgen: unknown option '--frobnicate'");
    expect(run.stderr).toContain("rpcgen --help");
  });

  it("exits 2 for an --i64 mode it does not know", () => {
    const run = runRpcgen(["--check", "--i64", "long", "good.thrift"], dir);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("Allowed choices are number, string, bigint");
  });
});
