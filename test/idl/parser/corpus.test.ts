import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "../../../idl/parse.js";
import { at, show } from "./helpers.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const corpusRoot = path.resolve(repoRoot, "../shared/corpus/thrift");

function corpusFiles(): string[] {
  return readdirSync(corpusRoot, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(".thrift"))
    .sort();
}

function parseCorpus(relative: string) {
  const file = path.join(corpusRoot, relative);
  return parse(readFileSync(file, "utf8"), file);
}

describe("the shared Thrift corpus", () => {
  it("contains the files this suite expects", () => {
    expect(corpusFiles()).toEqual(
      expect.arrayContaining(["apache-thrift/ThriftTest.thrift", "jaeger-idl/jaeger.thrift"]),
    );
    expect(corpusFiles().length).toBeGreaterThanOrEqual(22);
  });

  it.each(corpusFiles())("%s parses with no errors", (relative) => {
    const result = parseCorpus(relative);
    expect(result.diagnostics.filter((d) => d.severity === "error").map(show)).toEqual([]);
    expect(result.document.definitions.length).toBeGreaterThan(0);
  });

  it("warns for exactly the fields without ids in Identifiers.thrift", () => {
    const result = parseCorpus("apache-thrift/Identifiers.thrift");
    expect(result.diagnostics.map((d) => `${d.code} at ${at(d.range)}`)).toEqual([
      "W_IMPLICIT_FIELD_ID at 22:3-22:27",
      "W_IMPLICIT_FIELD_ID at 23:3-23:27",
    ]);
    const struct = result.document.definitions[0]!;
    expect(struct.kind === "struct" && struct.fields.map((f) => f.id)).toEqual([-1, -2, 1]);
  });

  it("keeps BrokenConstants' oversized i64 exact for the checker to reject", () => {
    const result = parseCorpus("apache-thrift/BrokenConstants.thrift");
    expect(result.diagnostics).toEqual([]);
    const line21 = result.document.definitions.find((d) => d.range.start.line === 21);
    expect(line21?.kind).toBe("const");
    if (line21?.kind !== "const" || line21.value.kind !== "int") throw new Error("expected an int const on line 21");
    expect(line21.value.value > 2n ** 63n - 1n).toBe(true);
  });

  it("resolves the uuid type and uuid-valued constants of ConstantsDemo", () => {
    const result = parseCorpus("apache-thrift/ConstantsDemo.thrift");
    const typedef = result.document.definitions.find((d) => d.name.name === "myUUID");
    expect(typedef).toMatchObject({ kind: "typedef", type: { kind: "base", name: "uuid" } });
    const guid = result.document.definitions.find((d) => d.name.name === "GEN_GUID");
    expect(guid).toMatchObject({
      kind: "const",
      value: { kind: "string", value: "{00112233-4455-6677-8899-aaBBccDDeeFF}" },
    });
  });

  it("reads the includes of jaeger's agent.thrift", () => {
    const result = parseCorpus("jaeger-idl/agent.thrift");
    expect(
      result.document.headers.filter((h) => h.kind === "include").map((h) => h.kind === "include" && h.scope),
    ).toEqual(["jaeger", "zipkincore"]);
  });
});
