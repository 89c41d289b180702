import { describe, expect, it } from "vitest";
import { check, loadInMemory, messagesOf } from "./in-memory-program.js";

describe("field ids", () => {
  it("accepts ids 1 and 32767", () => {
    expect(check("struct S { 1: i32 low; 32767: i32 high }")).toEqual([]);
  });

  it("reports explicit ids of 0, negative or past 32767 at the id", () => {
    const source = ["struct S {", "  0: i32 zero", "  -3: i32 negative", "  32768: i32 big", "}"].join("\n");
    expect(check(source)).toEqual([
      "main.thrift:2:3 E_FIELD_ID_RANGE",
      "main.thrift:3:3 E_FIELD_ID_RANGE",
      "main.thrift:4:3 E_FIELD_ID_RANGE",
    ]);
    expect(messagesOf(source, "E_FIELD_ID_RANGE")[2]).toBe(
      'field id 32768 of "big" is out of range: ids must be 1..32767',
    );
  });

  it("checks parameter ids too", () => {
    expect(check("service S { void f(0: i32 a) }")).toEqual(["main.thrift:1:20 E_FIELD_ID_RANGE"]);
  });

  it("leaves implicit ids to the parser's warning, with no error", () => {
    const { diagnostics } = loadInMemory({ "main.thrift": "struct S { i32 a; i32 b }" });
    expect(diagnostics.map((d) => d.code)).toEqual(["W_IMPLICIT_FIELD_ID", "W_IMPLICIT_FIELD_ID"]);
  });
});

describe("unions", () => {
  it("reports a required union field", () => {
    const source = ["union U {", "  1: required i32 a", "  2: optional i32 b", "  3: i32 c", "}"].join("\n");
    expect(check(source)).toEqual(["main.thrift:2:3 E_UNION_REQUIRED_FIELD"]);
  });

  it("allows one default value and reports a second at its value", () => {
    const source = ["union U {", "  1: i32 a = 1", "  2: string b = 'x'", "}"].join("\n");
    expect(check(source)).toEqual(["main.thrift:3:17 E_UNION_MULTIPLE_DEFAULTS"]);
  });

  it("allows required fields in structs and exceptions", () => {
    expect(check("struct S { 1: required i32 a }\nexception E { 1: required string m }")).toEqual([]);
  });
});

describe("parameters", () => {
  it("warns that optional is ignored on a parameter, as Thrift does", () => {
    const { diagnostics } = loadInMemory({ "main.thrift": "service S {\n  void f(1: optional i32 a)\n}" });
    expect(diagnostics.map((d) => [d.severity, d.code, d.range.start.line, d.range.start.column])).toEqual([
      ["warning", "W_OPTIONAL_PARAM", 2, 10],
    ]);
  });
});

describe("enum values", () => {
  it("accepts the i32 edges, including auto-numbering up to the maximum", () => {
    expect(check("enum E { LOW = -2147483648, HIGH = 2147483646, TOP }")).toEqual([]);
  });

  it("reports explicit values outside i32 at the value", () => {
    const source = ["enum E {", "  A = 2147483648", "  B = -2147483649", "}"].join("\n");
    expect(check(source)).toEqual(["main.thrift:2:7 E_ENUM_VALUE_RANGE", "main.thrift:3:7 E_ENUM_VALUE_RANGE"]);
  });

  it("reports auto-numbering that steps past the i32 maximum at the name", () => {
    const source = ["enum E {", "  A = 2147483647", "  B", "  C", "}"].join("\n");
    expect(check(source)).toEqual(["main.thrift:3:3 E_ENUM_VALUE_RANGE"]);
    expect(messagesOf(source, "E_ENUM_VALUE_RANGE")).toEqual([
      "implicit value 2147483648 of E.B does not fit in an i32",
    ]);
  });
});
