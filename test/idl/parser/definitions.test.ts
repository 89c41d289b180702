import { describe, expect, it } from "vitest";
import { parse } from "../../../idl/parse.js";
import { at, only, parseClean } from "./helpers.js";

describe("typedef and const", () => {
  it("parses a typedef with annotations and an optional separator", () => {
    const typedef = only(parseClean('typedef i64 UserId (ts.type = "number");'), "typedef");
    expect(typedef).toMatchObject({
      kind: "typedef",
      name: { name: "UserId" },
      type: { kind: "base", name: "i64" },
      doc: undefined,
    });
    expect(typedef.annotations.map((a) => [a.key, a.value])).toEqual([["ts.type", "number"]]);
    expect(at(typedef.range)).toBe("1:1-1:40");
    expect(at(typedef.name.range)).toBe("1:13-1:19");
  });

  it("parses a const with its type, value and annotations", () => {
    const constant = only(parseClean('const i32 MAX = 10 (deprecated = "use LIMIT"),'), "const");
    expect(constant).toMatchObject({
      kind: "const",
      name: { name: "MAX" },
      type: { name: "i32" },
      value: { kind: "int", value: 10n },
    });
    expect(constant.annotations.map((a) => a.key)).toEqual(["deprecated"]);
    expect(at(constant.range)).toBe("1:1-1:46");
    expect(at(constant.value.range)).toBe("1:17-1:19");
  });
});

describe("enum", () => {
  it("numbers values like Thrift: explicit values, else previous + 1 from 0", () => {
    const text = "enum Color {\n  RED,\n  GREEN = 5;\n  BLUE\n  BLACK = -2, WHITE, GRAY = 0x10 YELLOW\n}";
    const enumeration = only(parseClean(text), "enum");
    expect(enumeration.values.map((v) => [v.name.name, v.value, v.explicitValue?.text])).toEqual([
      ["RED", 0, undefined],
      ["GREEN", 5, "5"],
      ["BLUE", 6, undefined],
      ["BLACK", -2, "-2"],
      ["WHITE", -1, undefined],
      ["GRAY", 16, "0x10"],
      ["YELLOW", 17, undefined],
    ]);
    expect(at(enumeration.range)).toBe("1:1-6:2");
    expect(at(enumeration.values[1]!.range)).toBe("3:3-3:12");
    expect(at(enumeration.values[1]!.explicitValue!.range)).toBe("3:11-3:12");
  });

  it("keeps annotations on the enum and on its values", () => {
    const enumeration = only(parseClean('enum Day { SUNDAY ( weekend = "yes" ), MONDAY } (foo.bar="baz")'), "enum");
    expect(enumeration.values[0]!.annotations.map((a) => [a.key, a.value])).toEqual([["weekend", "yes"]]);
    expect(at(enumeration.values[0]!.range)).toBe("1:12-1:38");
    expect(enumeration.annotations.map((a) => [a.key, a.value])).toEqual([["foo.bar", "baz"]]);
    expect(at(enumeration.range)).toBe("1:1-1:64");
  });

  it("accepts an empty enum", () => {
    expect(only(parseClean("enum Empty {}"), "enum").values).toEqual([]);
  });
});

describe("struct, union and exception", () => {
  it("parses fields with ids, requiredness, defaults, annotations and either separator", () => {
    const text = [
      "struct User {",
      "  1: required i64 id,",
      '  2: optional string name = "anon";',
      "  3: list<string> tags = [] (json.omit)",
      "  5: i32 age = -1",
      "}",
    ].join("\n");
    const struct = only(parseClean(text), "struct");
    expect(struct.kind).toBe("struct");
    expect(struct.fields.map((f) => [f.id, f.idExplicit, f.requiredness, f.name.name])).toEqual([
      [1, true, "required", "id"],
      [2, true, "optional", "name"],
      [3, true, "default", "tags"],
      [5, true, "default", "age"],
    ]);
    expect(struct.fields[1]!.defaultValue).toMatchObject({ kind: "string", value: "anon" });
    expect(struct.fields[2]!.defaultValue).toMatchObject({ kind: "list", elements: [] });
    expect(struct.fields[2]!.annotations.map((a) => [a.key, a.value])).toEqual([["json.omit", undefined]]);
    expect(struct.fields[3]!.defaultValue).toMatchObject({ kind: "int", value: -1n, text: "-1" });
    expect(struct.fields.map((f) => at(f.range))).toEqual(["2:3-2:21", "3:3-3:35", "4:3-4:40", "5:3-5:18"]);
    expect(struct.fields.map((f) => at(f.idRange))).toEqual(["2:3-2:4", "3:3-3:4", "4:3-4:4", "5:3-5:4"]);
    expect(at(struct.fields[1]!.name.range)).toBe("3:22-3:26");
    expect(at(struct.range)).toBe("1:1-6:2");
    expect(at(struct.name.range)).toBe("1:8-1:12");
  });

  it("parses union and exception with struct annotations", () => {
    const document = parseClean(
      'union U { 1: i32 a; 2: string b } (x = "y")\nexception E { 1: string message } exception Empty {}',
    );
    expect(document.definitions.map((d) => [d.kind, d.name.name])).toEqual([
      ["union", "U"],
      ["exception", "E"],
      ["exception", "Empty"],
    ]);
    expect(document.definitions[0]!.annotations.map((a) => [a.key, a.value])).toEqual([["x", "y"]]);
    expect(at(document.definitions[0]!.range)).toBe("1:1-1:44");
    expect(at(document.definitions[2]!.range)).toBe("2:35-2:53");
  });

  it("numbers fields without ids -1, -2, ... and warns for each", () => {
    const result = parse("struct S {\n  string a,\n  1: string b\n  optional i32 c\n}", "f.thrift");
    const struct = only(result.document, "struct");
    expect(struct.fields.map((f) => [f.name.name, f.id, f.idExplicit, f.idRange])).toEqual([
      ["a", -1, false, undefined],
      ["b", 1, true, expect.anything()],
      ["c", -2, false, undefined],
    ]);
    expect(result.diagnostics.map((d) => `${d.severity} ${d.code} at ${at(d.range)}`)).toEqual([
      "warning W_IMPLICIT_FIELD_ID at 2:3-2:11",
      "warning W_IMPLICIT_FIELD_ID at 4:3-4:17",
    ]);
    expect(result.diagnostics[0]!.message).toBe(
      "field 'a' has no id, so Thrift numbers it -1; write an explicit id such as '1: ...'",
    );
  });

  it("accepts Thrift's C++ reference marker after a field type", () => {
    const struct = only(parseClean("struct RecList {\n  1: RecList & nextitem\n  3: i16 item\n}"), "struct");
    expect(struct.fields[0]).toMatchObject({
      id: 1,
      type: { kind: "named", name: "RecList" },
      name: { name: "nextitem" },
    });
    expect(at(struct.fields[0]!.range)).toBe("2:3-2:24");
  });
});

describe("service", () => {
  const text = [
    "service Users extends shared.Base {",
    "  void ping(),",
    "  oneway void log(1: string line);",
    '  User get(1: i64 id, 2: bool fresh = false) throws (1: NotFound nf, 2: Internal e) (rpc.timeout = "500")',
    "  map<string,i32> stats()",
    '} (version = "1.2.0")',
  ].join("\n");

  it("parses functions with params, throws, oneway and annotations", () => {
    const service = only(parseClean(text), "service");
    expect(service.name.name).toBe("Users");
    expect(service.extends).toMatchObject({ name: "shared.Base" });
    expect(at(service.extends!.range)).toBe("1:23-1:34");
    expect(service.annotations.map((a) => [a.key, a.value])).toEqual([["version", "1.2.0"]]);
    expect(
      service.functions.map((f) => [f.name.name, f.oneway, f.returnType.kind, f.params.length, f.throws.length]),
    ).toEqual([
      ["ping", false, "void", 0, 0],
      ["log", true, "void", 1, 0],
      ["get", false, "named", 2, 2],
      ["stats", false, "map", 0, 0],
    ]);
    const get = service.functions[2]!;
    expect(get.params.map((p) => [p.id, p.name.name, p.defaultValue?.kind])).toEqual([
      [1, "id", undefined],
      [2, "fresh", "bool"],
    ]);
    expect(get.throws.map((p) => [p.id, p.type.kind === "named" ? p.type.name : "", p.name.name])).toEqual([
      [1, "NotFound", "nf"],
      [2, "Internal", "e"],
    ]);
    expect(get.annotations.map((a) => [a.key, a.value])).toEqual([["rpc.timeout", "500"]]);
    expect(at(get.range)).toBe("4:3-4:106");
    expect(at(get.returnType.range)).toBe("4:3-4:7");
    expect(at(service.functions[0]!.returnType.range)).toBe("2:3-2:7");
    expect(at(service.functions[1]!.range)).toBe("3:3-3:34");
    expect(at(service.range)).toBe("1:1-6:22");
  });

  it("numbers implicit ids separately in params and throws", () => {
    const result = parse("service S { void f(i32 a, i32 b) throws (E e) }", "f.thrift");
    const fn = only(result.document, "service").functions[0]!;
    expect(fn.params.map((p) => p.id)).toEqual([-1, -2]);
    expect(fn.throws.map((p) => p.id)).toEqual([-1]);
    expect(result.diagnostics.map((d) => `${d.code} at ${at(d.range)}`)).toEqual([
      "W_IMPLICIT_FIELD_ID at 1:20-1:25",
      "W_IMPLICIT_FIELD_ID at 1:27-1:32",
      "W_IMPLICIT_FIELD_ID at 1:42-1:45",
    ]);
  });

  it("accepts an empty service and an unscoped base", () => {
    const service = only(parseClean("service Child extends Parent {}"), "service");
    expect(service.functions).toEqual([]);
    expect(service.extends?.name).toBe("Parent");
  });
});

describe("legacy Thrift syntax", () => {
  it("reads the deprecated 'async' as oneway", () => {
    const service = only(parseClean("service S { async void fire(1: i32 x) }"), "service");
    expect(service.functions[0]).toMatchObject({ oneway: true, name: { name: "fire" } });
    expect(at(service.functions[0]!.range)).toBe("1:13-1:38");
  });

  it("accepts and ignores the XSD markers xsd_all, xsd_optional, xsd_nillable and xsd_attrs", () => {
    const text =
      "struct S xsd_all {\n  1: i32 a = 1 xsd_optional xsd_nillable xsd_attrs { 1: string lang } (x),\n  2: i32 b\n}";
    const struct = only(parseClean(text), "struct");
    expect(struct.fields.map((f) => [f.id, f.name.name, f.annotations.length])).toEqual([
      [1, "a", 1],
      [2, "b", 0],
    ]);
    expect(at(struct.fields[0]!.range)).toBe("2:3-2:74");
  });
});

describe("separators", () => {
  it("accepts ',' and ';' interchangeably, trailing, or not at all", () => {
    const document = parseClean(
      "struct A { 1: i32 a; 2: i32 b, 3: i32 c }\nenum E { X; Y, Z; }\nservice S { void f(1: i32 a; 2: i32 b,); void g() }\nconst list<i32> L = [1; 2, 3,]\nconst map<i32,i32> M = {1: 2; 3: 4,}\ntypedef i32 T (a = 'b'; c,)",
    );
    expect(document.definitions.map((d) => d.name.name)).toEqual(["A", "E", "S", "L", "M", "T"]);
  });
});
