import { describe, expect, it } from "vitest";
import { check, loadInMemory, located, messagesOf } from "./in-memory-program.js";

describe("base type constants", () => {
  it("accepts values at the edges of every integer type, and byte as i8", () => {
    const source = [
      "const i8 A = -128",
      "const i8 B = 127",
      "const byte C = -128",
      "const i16 D = -32768",
      "const i16 E = 32767",
      "const i32 F = -2147483648",
      "const i32 G = 0x7fffffff",
      "const i64 H = -9223372036854775808",
      "const i64 I = 9223372036854775807",
    ].join("\n");
    expect(check(source)).toEqual([]);
  });

  it("reports integers past the range of their type at the value", () => {
    const source = [
      "const i8 A = 128",
      "const byte B = -129",
      "const i16 C = 32768",
      "const i32 D = 2147483648",
      "const i64 E = 9223372036854775808",
      "const i64 F = -9223372036854775809",
    ].join("\n");
    expect(check(source)).toEqual([
      "main.thrift:1:14 E_CONST_RANGE",
      "main.thrift:2:16 E_CONST_RANGE",
      "main.thrift:3:15 E_CONST_RANGE",
      "main.thrift:4:15 E_CONST_RANGE",
      "main.thrift:5:15 E_CONST_RANGE",
      "main.thrift:6:15 E_CONST_RANGE",
    ]);
    expect(messagesOf(source, "E_CONST_RANGE")[0]).toBe("128 is out of range for i8 (-128..127)");
  });

  it("accepts bools as true/false or 0/1 and reports other integers", () => {
    const source = ["const bool A = true", "const bool B = 0", "const bool C = 1", "const bool D = 2"].join("\n");
    expect(check(source)).toEqual(["main.thrift:4:16 E_CONST_RANGE"]);
  });

  it("accepts integers and doubles for double", () => {
    expect(check("const double A = 1\nconst double B = -1.5e10\nconst double C = 9223372036854775807")).toEqual([]);
  });

  it("reports values of the wrong kind", () => {
    const source = [
      "const i32 A = 1.5",
      'const i32 B = "one"',
      "const string C = 1",
      "const binary D = [1]",
      'const double E = "x"',
      'const bool F = "yes"',
      "const list<i32> G = 1",
      "const map<i32, i32> H = [1]",
    ].join("\n");
    expect(check(source)).toEqual([
      "main.thrift:1:15 E_CONST_TYPE",
      "main.thrift:2:15 E_CONST_TYPE",
      "main.thrift:3:18 E_CONST_TYPE",
      "main.thrift:4:18 E_CONST_TYPE",
      "main.thrift:5:18 E_CONST_TYPE",
      "main.thrift:6:16 E_CONST_TYPE",
      "main.thrift:7:21 E_CONST_TYPE",
      "main.thrift:8:25 E_CONST_TYPE",
    ]);
    expect(messagesOf(source, "E_CONST_TYPE")[0]).toBe("expected a value of type i32, found the double 1.5");
  });

  it("checks through typedefs and names the typedef in messages", () => {
    const source = "typedef i8 Small\nconst Small S = 200";
    expect(check(source)).toEqual(["main.thrift:2:17 E_CONST_RANGE"]);
    expect(messagesOf(source, "E_CONST_RANGE")).toEqual(["200 is out of range for Small (i8) (-128..127)"]);
  });

  it("accepts uuids with or without braces and reports malformed ones", () => {
    const source = [
      "const uuid A = '00000000-4444-CCCC-ffff-0123456789ab'",
      "const uuid B = '{00112233-4455-6677-8899-aaBBccDDeeFF}'",
      "const uuid C = '00000000-4444-CCCC-ffff-0123456789a'",
      "const uuid D = '{00000000-4444-CCCC-ffff-0123456789ab'",
      "const uuid E = 'not a uuid'",
    ].join("\n");
    expect(check(source)).toEqual([
      "main.thrift:3:16 E_INVALID_UUID",
      "main.thrift:4:16 E_INVALID_UUID",
      "main.thrift:5:16 E_INVALID_UUID",
    ]);
  });
});

describe("container constants", () => {
  it("checks list and set elements, and map keys and values", () => {
    const source = [
      "const list<i8> L = [1, 300, 2]",
      "const set<string> S = ['a', 2]",
      "const map<i8, string> M = {1: 'a', 999: 'b', 3: 4}",
      "const list<list<i8>> N = [[1], [1000]]",
    ].join("\n");
    expect(check(source)).toEqual([
      "main.thrift:1:24 E_CONST_RANGE",
      "main.thrift:2:29 E_CONST_TYPE",
      "main.thrift:3:36 E_CONST_RANGE",
      "main.thrift:3:49 E_CONST_TYPE",
      "main.thrift:4:33 E_CONST_RANGE",
    ]);
  });

  it("accepts {} for an empty set or list and [] for an empty map, like Thrift", () => {
    expect(check("const set<binary> S = {}\nconst list<i32> L = {}\nconst map<i32, i32> M = []")).toEqual([]);
  });
});

describe("struct constants", () => {
  it("accepts a map of field names to values, checking each value against its field", () => {
    const source = [
      "struct Point { 1: i32 x; 2: i32 y; 3: optional string label }",
      "const Point ORIGIN = { 'x': 0, 'y': 0 }",
      "const list<Point> PATH = [{ 'x': 1, 'y': 2, 'label': 'a' }]",
    ].join("\n");
    expect(check(source)).toEqual([]);
  });

  it("reports unknown fields, non-string keys and bad values", () => {
    const source = [
      "struct Point { 1: i32 x; 2: i32 y }",
      "const Point P = { 'x': 'one', 'z': 1, 3: 4 }",
      "const Point Q = [1, 2]",
    ].join("\n");
    expect(check(source)).toEqual([
      "main.thrift:2:24 E_CONST_TYPE",
      "main.thrift:2:31 E_UNKNOWN_FIELD",
      "main.thrift:2:39 E_CONST_FIELD_KEY",
      "main.thrift:3:17 E_CONST_TYPE",
    ]);
    expect(messagesOf(source, "E_UNKNOWN_FIELD")).toEqual(['struct Point has no field "z"']);
  });

  it("checks nested struct values through fields of struct type, and field defaults", () => {
    const source = [
      "struct Inner { 1: i8 small }",
      "struct Outer {",
      "  1: Inner inner = { 'small': 1000 }",
      "  2: i16 count = 70000",
      "}",
    ].join("\n");
    expect(check(source)).toEqual(["main.thrift:3:31 E_CONST_RANGE", "main.thrift:4:18 E_CONST_RANGE"]);
  });
});

describe("enum constants", () => {
  const colors = "enum Color { RED = 1, GREEN = 2 }\nenum Shade { DARK, RED }\n";

  it("accepts enum value references and integers that are values of the enum", () => {
    expect(
      check(`${colors}const Color A = Color.RED\nconst Color B = 2\nconst list<Color> C = [Color.GREEN, 1]`),
    ).toEqual([]);
  });

  it("reports integers and names that are not values of the enum", () => {
    const source = `${colors}const Color A = 3\nconst Color B = Color.BLUE\nconst Color C = "RED"`;
    expect(check(source)).toEqual([
      "main.thrift:3:17 E_UNKNOWN_ENUM_VALUE",
      "main.thrift:4:17 E_UNKNOWN_ENUM_VALUE",
      "main.thrift:5:17 E_CONST_TYPE",
    ]);
    expect(messagesOf(source, "E_UNKNOWN_ENUM_VALUE")).toEqual([
      "3 is not a value of enum Color",
      '"Color.BLUE" is not a value of enum Color',
    ]);
  });

  it("warns when the value is written with another enum's name, which Thrift ignores", () => {
    const { diagnostics } = loadInMemory({ "main.thrift": `${colors}const Color A = Shade.RED` });
    expect(diagnostics.map((d) => [d.severity, d.code, d.range.start.line, d.range.start.column])).toEqual([
      ["warning", "W_ENUM_VALUE_SCOPE", 3, 17],
    ]);
    expect(diagnostics[0]!.message).toBe(
      '"Shade.RED" names enum Shade, but the type here is enum Color: Thrift ignores the "Shade." prefix and reads it as Color.RED',
    );
  });

  it("does not warn when the prefix names the declared enum another way", () => {
    const files = {
      "main.thrift": [
        'include "colors.thrift"',
        "typedef colors.Color Paint",
        // Through a typedef, and without the include's scope: both name the declared enum.
        "struct S { 1: Paint a = Paint.RED, 2: colors.Color b = Color.GREEN, 3: Paint c = colors.Color.RED }",
        "const Paint P = Paint.GREEN",
      ].join("\n"),
      "colors.thrift": "enum Color { RED, GREEN }",
    };
    expect(located(loadInMemory(files).diagnostics)).toEqual([]);
  });

  it("accepts enum values through includes and enum-typed constants", () => {
    const files = {
      "main.thrift":
        'include "colors.thrift"\nconst colors.Color A = colors.Color.GREEN\nconst colors.Color B = A\nconst colors.Color C = colors.FAVOURITE',
      "colors.thrift": "enum Color { RED, GREEN }\nconst Color FAVOURITE = Color.RED",
    };
    expect(located(loadInMemory(files).diagnostics)).toEqual([]);
  });

  it("lets an enum value stand for its integer in integer constants", () => {
    const source = `${colors}const i32 A = Color.GREEN\nconst string B = Color.RED`;
    expect(check(source)).toEqual(["main.thrift:4:18 E_CONST_TYPE"]);
  });
});

describe("constant references", () => {
  it("accepts references to compatible constants, forward ones included", () => {
    const source = [
      "const i32 A = B",
      "const i64 B = 5",
      "const list<i32> L = [A, B]",
      "const string S = T",
      "const string T = 'text'",
      "struct W { 1: i32 n = A }",
    ].join("\n");
    expect(check(source)).toEqual([]);
  });

  it("reports an unknown constant at the reference", () => {
    expect(check("const i32 A = NOPE\nconst list<i32> L = [1, missing.X]")).toEqual([
      "main.thrift:1:15 E_UNKNOWN_CONSTANT",
      "main.thrift:2:25 E_UNKNOWN_CONSTANT",
    ]);
  });

  it("reports a reference whose value does not fit, at the reference", () => {
    const source = "const i64 BIG = 5000000000\nconst i32 SMALL = BIG\nconst string S = BIG";
    expect(check(source)).toEqual(["main.thrift:2:19 E_CONST_RANGE", "main.thrift:3:18 E_CONST_TYPE"]);
    expect(messagesOf(source, "E_CONST_RANGE")).toEqual([
      "constant BIG cannot be used as i32: 5000000000 is out of range for i32 (-2147483648..2147483647)",
    ]);
  });

  it("reports a constant cycle once and terminates", () => {
    const source = "const i32 A = B\nconst i32 B = C\nconst i32 C = A\nconst list<i32> L = [A]";
    expect(check(source)).toEqual(["main.thrift:3:15 E_CONST_CYCLE"]);
    expect(messagesOf(source, "E_CONST_CYCLE")).toEqual(["constant cycle: A -> B -> C -> A"]);
  });

  it("reports a constant that refers to itself", () => {
    expect(check("const i32 A = A")).toEqual(["main.thrift:1:15 E_CONST_CYCLE"]);
  });
});

describe("constant reference performance", () => {
  it("checks constants that each reference the previous one twice in linear, not exponential, time", () => {
    const levels = 60;
    const lines = ["struct Tree { 1: list<Tree> kids }", "const Tree T0 = { 'kids': [] }"];
    for (let i = 1; i <= levels; i++) lines.push(`const Tree T${i} = { 'kids': [T${i - 1}, T${i - 1}] }`);
    expect(check(lines.join("\n"))).toEqual([]);
    // A bad leaf is reported where it is written and at each of the two references in every level above it.
    lines[1] = "const Tree T0 = { 'kids': 5 }";
    const reported = check(lines.join("\n"));
    expect(reported[0]).toBe("main.thrift:2:27 E_CONST_TYPE");
    expect(reported).toHaveLength(1 + levels * 2);
  });
});
