import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { GenerateError, generate } from "../../generator/generate.js";
import { loadProgram } from "../../idl/load-program.js";
import { fixturesDir, generateFrom, scratchDir } from "./support/generated-dir.js";

const scratch = scratchDir("errors");
afterAll(() => scratch.dispose());

function idl(name: string, text: string): string {
  const file = path.join(scratch.dir, name);
  writeFileSync(file, text);
  return file;
}

async function generateError(files: string[], options = {}): Promise<GenerateError> {
  try {
    await generateFrom(files, options);
  } catch (error) {
    expect(error).toBeInstanceOf(GenerateError);
    return error as GenerateError;
  }
  throw new Error("expected a GenerateError");
}

describe("problems generation stops at", () => {
  it("reports i64 constants a number cannot hold exactly, with their location", async () => {
    const error = await generateError([path.join(fixturesDir, "everything.thrift")], { i64: "number" });
    const found = error.diagnostics.map((d) => [d.code, d.range.start.line, d.message]);
    expect(found).toContainEqual([
      "E_GEN_INEXACT_CONST",
      23,
      '9223372036854775807 cannot be represented exactly as a JavaScript number (i64 as "number"); use ts.type = "bigint" or "string"',
    ]);
    expect(found.filter(([code]) => code === "E_GEN_INEXACT_CONST").length).toBe(3);
  });

  it("reports a bad ts.type and bad rpc.* annotations, all in one run", async () => {
    const file = idl(
      "bad.thrift",
      [
        "struct S { 1: i64 a (ts.type = \"long\") }",
        "service X {",
        "  void a(1: i32 id) (rpc.timeout = \"soon\", rpc.retries = \"-1\", rpc.policy = \"pray\", rpc.routekey = \"nope\", rpc.idempotent = \"maybe\")",
        "}",
      ].join("\n"),
    );
    // The checker reports these (see test/idl/checker/annotation-rules.test.ts); a program generated
    // without looking at its diagnostics still gets them, with the same codes.
    const { program, diagnostics } = loadProgram([file]);
    const checked = diagnostics.map((d) => [d.code, d.message]);
    let error: unknown;
    await generate(program).catch((caught: unknown) => (error = caught));
    expect(error).toBeInstanceOf(GenerateError);
    expect((error as GenerateError).diagnostics.map((d) => [d.code, d.message])).toEqual(checked);
    expect(checked.map(([, message]) => message)).toEqual([
      'ts.type must be "bigint", "number" or "string", not "long"',
      'rpc.timeout must be a positive number of milliseconds, not "soon"',
      'rpc.retries must be a non-negative integer, not "-1"',
      'rpc.policy must be one of failfast, failtry, failover, failsafe, forking, not "pray"',
      `rpc.routekey must be the name of one of the method's arguments, not "nope"`,
      'rpc.idempotent must be "true" or "false", not "maybe"',
    ]);
    expect((error as GenerateError).diagnostics.every((d) => d.range.file === file && d.range.start.line >= 1)).toBe(true);
  });

  it("accepts ts.type on a field and on a typedef, and applies a service routekey only where the argument exists", async () => {
    const file = idl(
      "good.thrift",
      [
        'typedef i64 (ts.type = "string") Id',
        'struct S { 1: i64 a (ts.type = "number"), 2: Id b, 3: list<Id> c }',
        "service X { void a(1: i32 user), void b(1: i32 other) } (rpc.routekey = \"user\")",
      ].join("\n"),
    );
    const files = await generateFrom([file]);
    const ts = files.find((f) => f.path === "good.ts")!.contents;
    expect(ts).toContain("export type Id = string;");
    expect(ts).toMatch(/a\?: number;\n\s+b\?: Id;\n\s+c\?: Id\[\];/);
    expect(ts).toContain('hints: { routeKey: "user" }');
    expect(ts).toContain('b: { args: [{ id: 1, name: "other", type: { kind: "i32" } }] },');
  });
});
