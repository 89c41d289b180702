import { describe, expect, it } from "vitest";
import { check, loadInMemory, located, messagesOf } from "./in-memory-program.js";

describe("extends", () => {
  it("accepts a base service in the same file or, scoped, in an included file", () => {
    const files = {
      "main.thrift": 'include "shared.thrift"\nservice A extends shared.Base {}\nservice B extends A {}',
      "shared.thrift": "service Base { void ping() }",
    };
    expect(located(loadInMemory(files).diagnostics)).toEqual([]);
  });

  it("reports an unknown service, an unknown scope, and a non-service", () => {
    const source = [
      "struct NotService {}",
      "service A extends Missing {}",
      "service B extends nowhere.Base {}",
      "service C extends NotService {}",
    ].join("\n");
    expect(check(source)).toEqual([
      "main.thrift:2:19 E_UNKNOWN_SERVICE",
      "main.thrift:3:19 E_UNKNOWN_SCOPE",
      "main.thrift:4:19 E_NOT_A_SERVICE",
    ]);
    expect(messagesOf(source, "E_NOT_A_SERVICE")).toEqual(["service C cannot extend struct NotService"]);
  });

  it("reports an extends cycle once, and still terminates checking methods", () => {
    const source = [
      "service A extends C { void a() }",
      "service B extends A { void b() }",
      "service C extends B { void c() }",
    ].join("\n");
    expect(check(source)).toEqual(["main.thrift:1:19 E_EXTENDS_CYCLE"]);
    expect(messagesOf(source, "E_EXTENDS_CYCLE")).toEqual(["service extends cycle: A -> C -> B -> A"]);
  });

  it("reports a service extending itself", () => {
    expect(check("service A extends A {}")).toEqual(["main.thrift:1:19 E_EXTENDS_CYCLE"]);
  });
});

describe("throws", () => {
  it("accepts exceptions, also through typedefs and includes", () => {
    const files = {
      "main.thrift":
        'include "errors.thrift"\ntypedef errors.Oops Alias\nservice S { void f() throws (1: errors.Oops a, 2: Alias b) }',
      "errors.thrift": "exception Oops {}",
    };
    expect(located(loadInMemory(files).diagnostics)).toEqual([]);
  });

  it("reports structs, unions, enums and base types in a throws list at the type", () => {
    const source = [
      "struct S {}",
      "union U {}",
      "enum E { A }",
      "service Svc {",
      "  void f() throws (1: S s, 2: U u, 3: E e, 4: i32 n, 5: list<S> l)",
      "}",
    ].join("\n");
    expect(check(source)).toEqual([
      "main.thrift:5:23 E_THROWS_NOT_EXCEPTION",
      "main.thrift:5:31 E_THROWS_NOT_EXCEPTION",
      "main.thrift:5:39 E_THROWS_NOT_EXCEPTION",
      "main.thrift:5:47 E_THROWS_NOT_EXCEPTION",
      "main.thrift:5:57 E_THROWS_NOT_EXCEPTION",
    ]);
    expect(messagesOf(source, "E_THROWS_NOT_EXCEPTION")[0]).toBe(
      'Svc.f can only throw exceptions, but "s" is struct S',
    );
  });
});

describe("oneway", () => {
  it("accepts a oneway void method without throws", () => {
    expect(check("service S { oneway void fire(1: i32 x) }")).toEqual([]);
  });

  it("reports a oneway method that returns a value or throws", () => {
    const source = [
      "exception Oops {}",
      "service S {",
      "  oneway i32 count()",
      "  oneway void fail() throws (1: Oops o)",
      "}",
    ].join("\n");
    expect(check(source)).toEqual(["main.thrift:3:10 E_ONEWAY_RETURN", "main.thrift:4:30 E_ONEWAY_THROWS"]);
  });
});
