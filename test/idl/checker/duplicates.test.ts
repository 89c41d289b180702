import { describe, expect, it } from "vitest";
import { check, loadInMemory, located, messagesOf } from "./in-memory-program.js";

describe("duplicates", () => {
  it("reports a second definition with a taken name, whatever its kind", () => {
    const source = [
      "struct Foo {}",
      "enum Foo { A }",
      "service Foo {}",
      "const i32 Foo = 1",
      "typedef i32 Bar",
      "union Bar {}",
    ].join("\n");
    expect(check(source)).toEqual([
      "main.thrift:2:6 E_DUPLICATE_DEFINITION",
      "main.thrift:3:9 E_DUPLICATE_DEFINITION",
      "main.thrift:4:11 E_DUPLICATE_DEFINITION",
      "main.thrift:6:7 E_DUPLICATE_DEFINITION",
    ]);
    expect(messagesOf(source, "E_DUPLICATE_DEFINITION")[0]).toBe('"Foo" is already defined (struct at main.thrift:1)');
  });

  it("allows the same name in different files", () => {
    const files = {
      "main.thrift": 'include "other.thrift"\nstruct Foo { 1: other.Foo f }',
      "other.thrift": "struct Foo {}",
    };
    expect(located(loadInMemory(files).diagnostics)).toEqual([]);
  });

  it("reports duplicate field ids and names in structs, unions and exceptions", () => {
    const source = [
      "struct S {",
      "  1: i32 a",
      "  1: i32 b",
      "  2: i32 a",
      "}",
      "union U { 1: i32 x; 1: string y }",
      "exception E { 1: i32 m; 2: i32 m }",
    ].join("\n");
    expect(check(source)).toEqual([
      "main.thrift:3:3 E_DUPLICATE_FIELD_ID",
      "main.thrift:4:10 E_DUPLICATE_FIELD_NAME",
      "main.thrift:6:21 E_DUPLICATE_FIELD_ID",
      "main.thrift:7:32 E_DUPLICATE_FIELD_NAME",
    ]);
    expect(messagesOf(source, "E_DUPLICATE_FIELD_ID")[0]).toBe(
      'field id 1 is already used by "a" (main.thrift:2) in struct S',
    );
  });

  it("reports duplicate field ids and names in parameter and throws lists", () => {
    const source = [
      "exception Oops {}",
      "service S {",
      "  void f(1: i32 a, 1: i32 b, 2: i32 a) throws (1: Oops e, 1: Oops g, 2: Oops e)",
      "}",
    ].join("\n");
    expect(check(source)).toEqual([
      "main.thrift:3:20 E_DUPLICATE_FIELD_ID",
      "main.thrift:3:37 E_DUPLICATE_FIELD_NAME",
      "main.thrift:3:59 E_DUPLICATE_FIELD_ID",
      "main.thrift:3:78 E_DUPLICATE_FIELD_NAME",
    ]);
  });

  it("reports duplicate enum value names but allows duplicate numbers, like Thrift", () => {
    const source = ["enum E {", "  A = 1", "  B = 1", "  A = 2", "}", "enum Other { A }"].join("\n");
    expect(check(source)).toEqual(["main.thrift:4:3 E_DUPLICATE_ENUM_VALUE"]);
  });

  it("reports duplicate methods within a service", () => {
    const source = ["service S {", "  void ping()", "  i32 ping(1: i32 x)", "}"].join("\n");
    expect(check(source)).toEqual(["main.thrift:3:7 E_DUPLICATE_METHOD"]);
  });

  it("reports a method that redefines an inherited one, across includes and several levels", () => {
    const files = {
      "base.thrift": "service Root {\n  void ping()\n}\nservice Base extends Root {\n  void stats()\n}",
      "main.thrift": [
        'include "base.thrift"',
        "service Mid extends base.Base {",
        "  void hello()",
        "}",
        "service Leaf extends Mid {",
        "  void ping()",
        "  void stats()",
        "  void hello()",
        "  void fresh()",
        "}",
      ].join("\n"),
    };
    const { diagnostics } = loadInMemory(files);
    expect(located(diagnostics)).toEqual([
      "main.thrift:6:8 E_DUPLICATE_METHOD",
      "main.thrift:7:8 E_DUPLICATE_METHOD",
      "main.thrift:8:8 E_DUPLICATE_METHOD",
    ]);
    expect(diagnostics.map((d) => d.message)).toEqual([
      'method "ping" is already defined in base service Root (base.thrift:2)',
      'method "stats" is already defined in base service Base (base.thrift:5)',
      'method "hello" is already defined in base service Mid (main.thrift:3)',
    ]);
  });
});
