import { readdirSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { GeneratedFile } from "../../generator/generate.js";
import { corpusDir, fixturesDir, generateFrom } from "./support/generated-dir.js";

// Descriptors were a third of a large generated file, repeating defaults on every method and
// field (issue 13). Generated code now leaves those out; the runtime fills them in
// (runtime/define-descriptors.ts, checked in generated-behavior.test.ts).
let typescript: GeneratedFile[] = [];

beforeAll(async () => {
  const corpus = ["apache-thrift", "jaeger-idl"].flatMap((dir) =>
    readdirSync(path.join(corpusDir, dir))
      .filter((f) => f.endsWith(".thrift") && f !== "BrokenConstants.thrift")
      .map((f) => path.join(corpusDir, dir, f)),
  );
  const fixtures = ["everything.thrift", "keywords.thrift"].map((f) => path.join(fixturesDir, f));
  const files = [...(await generateFrom(corpus)), ...(await generateFrom(fixtures))];
  typescript = files.filter((f) => f.kind === "typescript");
}, 120_000);

describe("generated descriptors", () => {
  it("leave out what equals the default", () => {
    for (const file of typescript) {
      for (const repeated of ["version: undefined", "parent: undefined", "hints: {}", "annotations: {}", 'requiredness: "default"', "protoNumber:"]) {
        expect(file.contents, `${file.path} repeats ${repeated}`).not.toContain(repeated);
      }
      const sameJsName = [...file.contents.matchAll(/name: ("[^"]*"), jsName: ("[^"]*")/g)].filter(([, name, js]) => name === js);
      expect(sameJsName.map(([match]) => match), file.path).toEqual([]);
    }
  });

  it("write each method once: a child service describes only its own methods", () => {
    const everything = typescript.find((f) => f.path === "everything.ts")!.contents;
    const child = everything.slice(everything.indexOf("export const ScientificCalculatorService"));
    const descriptor = child.slice(0, child.indexOf("\n});") + 4);
    expect(descriptor).toBe(
      [
        "export const ScientificCalculatorService: ServiceDescriptor = defineService({",
        '  name: "ScientificCalculator",',
        '  qualifiedName: "everything.ScientificCalculator",',
        "  parent: CalculatorService,",
        "  methods: {",
        "    sqrt: {",
        '      args: [{ id: 1, name: "x", type: { kind: "double" } }],',
        '      returns: { kind: "double" },',
        "      throws: [",
        '        { id: 1, name: "ouch", type: { kind: "struct", struct: () => DivideByZeroDescriptor } },',
        "      ],",
        '      hints: { timeoutMs: 1500, retries: 2, policy: "failover" },',
        "    },",
        "  },",
        "});",
      ].join("\n"),
    );
  });
});
