import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hasErrors } from "../../../idl/diagnostic.js";
import { loadInMemory, located } from "./in-memory-program.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const corpusFile = path.resolve(repoRoot, "../shared/corpus/thrift/apache-thrift/ThriftTest.thrift");

describe("checking a whole program", () => {
  it("reports every error in one run, across files, sorted by file and position", () => {
    const files = {
      "main.thrift": [
        'include "lib.thrift"',
        "struct A {",
        "  1: Missing m",
        "  1: i32 dup",
        "}",
        "const i8 BIG = 1000",
        "service S extends Nope {",
        "  oneway i32 f()",
        "}",
      ].join("\n"),
      "lib.thrift": "struct L {\n  0: i32 zero\n}\nenum E { X, X }",
    };
    const { diagnostics } = loadInMemory(files);
    expect(located(diagnostics)).toEqual([
      "lib.thrift:2:3 E_FIELD_ID_RANGE",
      "lib.thrift:4:13 E_DUPLICATE_ENUM_VALUE",
      "main.thrift:3:6 E_UNKNOWN_TYPE",
      "main.thrift:4:3 E_DUPLICATE_FIELD_ID",
      "main.thrift:6:16 E_CONST_RANGE",
      "main.thrift:7:19 E_UNKNOWN_SERVICE",
      "main.thrift:8:10 E_ONEWAY_RETURN",
    ]);
  });

  it("reports syntax errors from the parser together with the checker's errors", () => {
    const source = ["struct A {", "  1: i32 a", "  2 i32 b", "}", "struct B { 1: Missing m }"].join("\n");
    const { diagnostics } = loadInMemory({ "main.thrift": source });
    const codes = diagnostics.map((d) => d.code);
    expect(codes).toContain("E_SYNTAX");
    expect(located(diagnostics)).toContain("main.thrift:5:15 E_UNKNOWN_TYPE");
  });

  it("answers the Program lookups the generator uses", () => {
    const files = {
      "main.thrift": 'include "lib.thrift"\nconst i32 MAX = 10\nenum Color { RED }\nservice Svc extends lib.Base {}',
      "lib.thrift": "const string NAME = 'n'\nenum Kind { A, B }\nservice Base {}\ntypedef i32 Id",
    };
    const { program, diagnostics } = loadInMemory(files);
    expect(diagnostics).toEqual([]);
    const main = program.roots[0]!;
    expect(main.scope).toBe("main");
    expect(program.resolveType(main, "lib.Id")?.definition.kind).toBe("typedef");
    expect(program.resolveType(main, "Id")).toBeUndefined();
    expect(program.resolveService(main, "lib.Base")?.definition.name.name).toBe("Base");
    expect(program.resolveService(main, "Svc")?.file).toBe(main);
    expect(program.resolveConstant(main, "MAX")?.kind).toBe("const");
    const red = program.resolveConstant(main, "Color.RED");
    expect(red?.kind === "enumValue" ? red.value.value : undefined).toBe(0);
    expect(program.resolveConstant(main, "lib.NAME")?.kind).toBe("const");
    const kindB = program.resolveConstant(main, "lib.Kind.B");
    expect(kindB?.kind === "enumValue" ? kindB.value.name.name : undefined).toBe("B");
    expect(program.resolveConstant(main, "lib.Kind.C")).toBeUndefined();
    expect(program.resolveConstant(main, "a.b.c.d")).toBeUndefined();
  });

  it("never throws, whatever the input", () => {
    const original = readFileSync(corpusFile, "utf8");
    const mutation = fc.record({
      at: fc.nat({ max: original.length }),
      cut: fc.nat({ max: 40 }),
      insert: fc.constantFrom(
        "",
        "{",
        "}",
        "<",
        ">",
        ",",
        "=",
        ":",
        "1",
        "-1",
        "'",
        '"',
        "/*",
        "typedef",
        "A.B",
        "include",
        "extends",
      ),
    });
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 5 }), (mutations) => {
        let text = original;
        for (const m of mutations) text = text.slice(0, m.at) + m.insert + text.slice(m.at + m.cut);
        const { diagnostics } = loadInMemory({ "main.thrift": text });
        for (const d of diagnostics) {
          expect(d.range.start.line).toBeGreaterThanOrEqual(1);
          expect(d.message.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 150 },
    );
  });

  it("never throws on random text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (text) => {
        const { diagnostics } = loadInMemory({ "main.thrift": text });
        expect(Array.isArray(diagnostics)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("has no errors for a clean file", () => {
    expect(hasErrors(loadInMemory({ "main.thrift": "struct A { 1: i32 a }" }).diagnostics)).toBe(false);
  });
});
