import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { loadProgram } from "../../idl/load-program.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const corpusRoot = path.resolve(repoRoot, "../shared/corpus");

function thriftFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return thriftFilesUnder(full);
    return entry.name.endsWith(".thrift") ? [full] : [];
  });
}

const corpusFiles = thriftFilesUnder(corpusRoot).sort();
const accepted = corpusFiles.filter((file) => path.basename(file) !== "BrokenConstants.thrift");

function errorsOf(file: string): string[] {
  return loadProgram([file])
    .diagnostics.filter((d) => d.severity === "error")
    .map(
      (d) =>
        `${path.relative(corpusRoot, d.range.file)}:${d.range.start.line}:${d.range.start.column}: ${d.code} ${d.message}`,
    );
}

describe("the IDL corpus", () => {
  it("holds the files the README describes", () => {
    expect(corpusFiles.length).toBeGreaterThanOrEqual(20);
    expect(corpusFiles.some((file) => file.endsWith("BrokenConstants.thrift"))).toBe(true);
  });

  it.each(accepted.map((file) => [path.relative(corpusRoot, file), file]))(
    "accepts %s with zero errors",
    (_name, file) => {
      expect(errorsOf(file)).toEqual([]);
    },
  );

  it("rejects BrokenConstants.thrift at line 21 (an i64 past 2^63 - 1)", () => {
    const file = corpusFiles.find((f) => f.endsWith("BrokenConstants.thrift"))!;
    const errors = loadProgram([file]).diagnostics.filter((d) => d.severity === "error");
    const atLine21 = errors.find((d) => d.range.start.line === 21);
    expect(atLine21?.code).toBe("E_CONST_RANGE");
    expect(atLine21?.message).toContain("9876543210987654321");
    expect(atLine21?.range.start.column).toBe(20);
  });

  it("resolves includes relative to the including file", () => {
    const service = loadProgram([path.join(corpusRoot, "thrift/apache-thrift/Service.thrift")]);
    const serviceFile = service.program.roots[0]!;
    expect([...serviceFile.includes.keys()]).toEqual(["Types"]);
    expect(serviceFile.includes.get("Types")!.path).toBe(path.join(corpusRoot, "thrift/apache-thrift/Types.thrift"));

    const agent = loadProgram([path.join(corpusRoot, "thrift/jaeger-idl/agent.thrift")]);
    const agentFile = agent.program.roots[0]!;
    expect([...agentFile.includes.keys()].sort()).toEqual(["jaeger", "zipkincore"]);
    // Files come includes first, the root last.
    expect([...agent.program.files.keys()].at(-1)).toBe(agentFile.path);
  });

  it("checks every corpus file together as one program", () => {
    const { diagnostics } = loadProgram(accepted);
    expect(diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  });
});
