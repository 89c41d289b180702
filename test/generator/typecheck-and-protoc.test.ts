import { readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GeneratedFile } from "../../generator/generate.js";
import { corpusDir, fixturesDir, generateFrom, protoc, scratchDir, typeCheck, writeGenerated } from "./support/generated-dir.js";

const corpusFiles = ["apache-thrift", "jaeger-idl"].flatMap((dir) =>
  readdirSync(path.join(corpusDir, dir))
    .filter((f) => f.endsWith(".thrift") && f !== "BrokenConstants.thrift")
    .map((f) => path.join(corpusDir, dir, f)),
);
const fixtureRoots = ["everything.thrift", "keywords.thrift"].map((f) => path.join(fixturesDir, f));

describe("generated code for the corpus and the fixtures", () => {
  const scratch = scratchDir("typecheck");
  const erasableScratch = scratchDir("typecheck-erasable");
  const outputs = new Map<string, GeneratedFile[]>();

  beforeAll(async () => {
    outputs.set("corpus", await generateFrom(corpusFiles));
    outputs.set("corpus-i64-string", await generateFrom(corpusFiles, { i64: "string" }));
    outputs.set("fixtures", await generateFrom(fixtureRoots, { skeleton: true }));
    for (const [name, files] of outputs) writeGenerated(path.join(scratch.dir, name), files);
    writeGenerated(path.join(erasableScratch.dir, "corpus"), await generateFrom(corpusFiles, { erasable: true }));
    writeGenerated(path.join(erasableScratch.dir, "fixtures"), await generateFrom(fixtureRoots, { erasable: true, skeleton: true }));
  }, 240_000);

  afterAll(() => {
    scratch.dispose();
    erasableScratch.dispose();
  });

  it("covers every corpus file except BrokenConstants.thrift", () => {
    expect(corpusFiles.length).toBe(21);
    const tsFiles = outputs.get("corpus")!.filter((f) => f.kind === "typescript");
    expect(tsFiles.length).toBe(21);
  });

  it("type-checks under the strictest settings, without skipLibCheck (i64 as bigint and as string, skeletons included)", () => {
    const result = typeCheck(scratch.dir);
    expect(result.output).toBe("");
    expect(result.status).toBe(0);
  }, 240_000);

  it("type-checks with erasableSyntaxOnly when generated with --erasable", () => {
    const result = typeCheck(erasableScratch.dir, { erasable: true });
    expect(result.output).toBe("");
    expect(result.status).toBe(0);
  }, 240_000);

  it("has .proto files that protoc accepts", () => {
    for (const name of ["corpus", "fixtures"]) {
      const root = path.join(scratch.dir, name);
      for (const file of outputs.get(name)!.filter((f) => f.kind === "proto")) {
        const result = protoc(root, file.path);
        // Not even a warning: a .proto imports only the includes whose messages it uses.
        expect(result.output, file.path).toBe("");
        expect(result.status, file.path).toBe(0);
      }
    }
  }, 120_000);
});
