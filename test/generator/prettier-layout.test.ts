import { readdirSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { writeBigIdl } from "../../bench/big-idl.js";
import { formatTypeScript } from "../../generator/format.js";
import type { GenerateOptions } from "../../generator/generate.js";
import { corpusDir, fixturesDir, generateFrom, scratchDir } from "./support/generated-dir.js";

// prettier is the formatter of record, but generation lays code out itself and
// runs prettier only on declarations it cannot vouch for (generator/format.ts).
// Whatever it writes must be exactly what prettier makes of it.
const corpus = ["apache-thrift", "jaeger-idl"].flatMap((dir) =>
  readdirSync(path.join(corpusDir, dir))
    .filter((f) => f.endsWith(".thrift") && f !== "BrokenConstants.thrift")
    .map((f) => path.join(corpusDir, dir, f)),
);
const fixtures = ["everything.thrift", "keywords.thrift"].map((f) => path.join(fixturesDir, f));
const scratch = scratchDir("prettier-layout");
afterAll(() => scratch.dispose());

async function expectPrettierLayout(roots: string[], options: GenerateOptions): Promise<void> {
  for (const file of await generateFrom(roots, options)) {
    if (file.kind === "proto") continue;
    expect(file.contents, file.path).toBe(await formatTypeScript(file.contents, file.path));
  }
}

describe("generated TypeScript", () => {
  it.each([
    ["the corpus", corpus, {}],
    ["the corpus, i64 as string", corpus, { i64: "string" }],
    ["the corpus, erasable", corpus, { erasable: true }],
    ["the fixtures with skeletons", fixtures, { skeleton: true }],
    ["the fixtures, erasable, i64 as number", fixtures.slice(1), { erasable: true, i64: "number" }],
  ] as const)("is laid out as prettier lays it out: %s", async (_name, roots, options) => {
    await expectPrettierLayout([...roots], options);
  }, 120_000);

  it("is laid out as prettier lays it out: the benchmark's big IDL program", async () => {
    await expectPrettierLayout([writeBigIdl(path.join(scratch.dir, "big"))], {});
  }, 240_000);
});
