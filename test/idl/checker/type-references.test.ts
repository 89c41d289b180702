import { describe, expect, it } from "vitest";
import { check, loadInMemory, located, messagesOf } from "./in-memory-program.js";

describe("type references", () => {
  it("accepts forward references to structs, typedefs and enums", () => {
    const source = [
      "struct A {",
      "  1: B b",
      "  2: list<Later> later",
      "  3: Color color",
      "}",
      "typedef Later B",
      "struct Later { 1: A back }",
      "enum Color { RED }",
    ].join("\n");
    expect(check(source)).toEqual([]);
  });

  it("reports an unknown type at its name, including inside containers", () => {
    const source = ["struct A {", "  1: Missing m", "  2: map<string, list<Gone>> g", "}"].join("\n");
    expect(check(source)).toEqual(["main.thrift:2:6 E_UNKNOWN_TYPE", "main.thrift:3:23 E_UNKNOWN_TYPE"]);
    expect(messagesOf(source, "E_UNKNOWN_TYPE")[0]).toBe('unknown type "Missing"');
  });

  it("reports unknown types in typedefs, consts, return types, parameters and throws", () => {
    const source = [
      "typedef Nope T",
      "const Nada C = 1",
      "service S {",
      "  Ret f(1: Arg a) throws (1: Exc e)",
      "}",
    ].join("\n");
    expect(check(source)).toEqual([
      "main.thrift:1:9 E_UNKNOWN_TYPE",
      "main.thrift:2:7 E_UNKNOWN_TYPE",
      "main.thrift:4:3 E_UNKNOWN_TYPE",
      "main.thrift:4:12 E_UNKNOWN_TYPE",
      "main.thrift:4:30 E_UNKNOWN_TYPE",
    ]);
  });

  it("resolves scoped names through includes", () => {
    const shared = ["typedef i32 Id", "struct Thing { 1: Id id }", "enum Kind { A, B }"].join("\n");
    const source = [
      'include "shared.thrift"',
      "struct Holder {",
      "  1: shared.Thing thing",
      "  2: shared.Id id",
      "  3: shared.Kind kind = shared.Kind.B",
      "}",
    ].join("\n");
    const { diagnostics, program } = loadInMemory({ "main.thrift": source, "shared.thrift": shared });
    expect(located(diagnostics)).toEqual([]);
    const main = program.roots[0]!;
    expect(program.resolveType(main, "shared.Thing")?.definition.name.name).toBe("Thing");
    expect(program.resolveType(main, "shared.Thing")?.file.scope).toBe("shared");
  });

  it("reports a scope that is not an included file", () => {
    const source = ["struct A {", "  1: other.Type t", "}"].join("\n");
    expect(check(source)).toEqual(["main.thrift:2:6 E_UNKNOWN_SCOPE"]);
    expect(messagesOf(source, "E_UNKNOWN_SCOPE")[0]).toContain('"other"');
  });

  it("reports a name the included file does not define", () => {
    const source = ['include "shared.thrift"', "struct A { 1: shared.Nope n }"].join("\n");
    expect(check(source, { "shared.thrift": "struct Yes {}" })).toEqual(["main.thrift:2:15 E_UNKNOWN_TYPE"]);
    expect(messagesOf(source, "E_UNKNOWN_TYPE", { "shared.thrift": "struct Yes {}" })[0]).toBe(
      'unknown type "shared.Nope": shared.thrift defines no type "Nope"',
    );
  });

  it("does not let names leak through two levels of includes", () => {
    const files = {
      "main.thrift": 'include "middle.thrift"\nstruct A { 1: Deep d }',
      "middle.thrift": 'include "deep.thrift"',
      "deep.thrift": "struct Deep {}",
    };
    expect(located(loadInMemory(files).diagnostics)).toEqual(["main.thrift:2:15 E_UNKNOWN_TYPE"]);
  });

  it("reports a service or constant used as a type", () => {
    const source = ["service Svc {}", "const i32 K = 1", "struct A {", "  1: Svc s", "  2: K k", "}"].join("\n");
    expect(check(source)).toEqual(["main.thrift:4:6 E_NOT_A_TYPE", "main.thrift:5:6 E_NOT_A_TYPE"]);
    expect(messagesOf(source, "E_NOT_A_TYPE")).toEqual([
      '"Svc" is a service, not a type',
      '"K" is a constant, not a type',
    ]);
  });

  it("resolves typedef chains, including across files", () => {
    const files = {
      "main.thrift": 'include "t.thrift"\ntypedef t.Second Third\nconst Third X = 5',
      "t.thrift": "typedef i16 First\ntypedef First Second",
    };
    expect(located(loadInMemory(files).diagnostics)).toEqual([]);
    // The chain ends in i16, so a value past its range is caught.
    files["main.thrift"] = 'include "t.thrift"\ntypedef t.Second Third\nconst Third X = 40000';
    expect(located(loadInMemory(files).diagnostics)).toEqual(["main.thrift:3:17 E_CONST_RANGE"]);
  });

  it("reports a typedef cycle once, at its first typedef", () => {
    const source = ["typedef B A", "typedef C B", "typedef A C", "typedef A D", "struct S { 1: A a }"].join("\n");
    expect(check(source)).toEqual(["main.thrift:1:11 E_TYPEDEF_CYCLE"]);
    expect(messagesOf(source, "E_TYPEDEF_CYCLE")).toEqual(["typedef cycle: A -> B -> C -> A"]);
  });

  it("reports a typedef of itself", () => {
    expect(check("typedef Self Self")).toEqual(["main.thrift:1:14 E_TYPEDEF_CYCLE"]);
  });
});
