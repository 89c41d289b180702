import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliIo } from "../../generator/cli/cli-io.js";
import { main } from "../../generator/cli/main.js";

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "rpcgen-main-"));
  writeFileSync(path.join(dir, "good.thrift"), "struct Point { 1: i32 x }\n");
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function capture(cwd: string): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, cwd, stdout: (text) => void out.push(text), stderr: (text) => void err.push(text) };
}

describe("main", () => {
  it("resolves file arguments against the given working directory", async () => {
    const io = capture(dir);
    expect(await main(["--check", "good.thrift"], io)).toBe(0);
    expect(io.err).toEqual([]);
  });

  it("stops before generating when the IDL has errors", async () => {
    const io = capture(dir);
    writeFileSync(path.join(dir, "bad.thrift"), "struct A { 1: Missing m }\n");
    expect(await main(["--out", "generated-bad", "bad.thrift"], io)).toBe(1);
    expect(io.err.join("")).toContain("[E_UNKNOWN_TYPE]");
    expect(existsSync(path.join(dir, "generated-bad"))).toBe(false);
  });

  it("writes nothing with --check", async () => {
    const io = capture(dir);
    expect(await main(["--check", "--out", "generated-check", "good.thrift"], io)).toBe(0);
    expect(existsSync(path.join(dir, "generated-check"))).toBe(false);
    expect(readdirSync(dir).filter((name) => !name.endsWith(".thrift"))).toEqual([]);
  });

  it("turns an unexpected exception into 'internal error' and exit code 70", async () => {
    const err: string[] = [];
    const brokenIo: CliIo = {
      stdout: () => undefined,
      stderr: (text) => void err.push(text),
      get cwd(): string {
        throw new Error("simulated bug");
      },
    };
    expect(await main(["--check", "good.thrift"], brokenIo)).toBe(70);
    expect(err.join("")).toMatch(/^rpcgen: internal error .*\nError: simulated bug\n\s+at /);
  });
});
