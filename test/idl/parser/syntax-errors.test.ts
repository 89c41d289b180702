import { describe, expect, it } from "vitest";
import { parse } from "../../../idl/parse.js";
import { DIAGNOSTIC_CODES } from "../../../idl/diagnostic-codes.js";
import { at } from "./helpers.js";

/** `CODE at range: message` for every diagnostic of `text`. */
function report(text: string): string[] {
  return parse(text, "f.thrift").diagnostics.map((d) => `${d.code} at ${at(d.range)}: ${d.message}`);
}

describe("syntax errors", () => {
  it.each([
    ["struct A { 1: }", "E_SYNTAX at 1:15-1:16: expected a field type but found '}'"],
    ["struct A { 1: i32 a b: }", "E_SYNTAX at 1:22-1:23: expected a field name but found ':'"],
    ["service S { i32 }", "E_SYNTAX at 1:17-1:18: expected a function name but found '}'"],
    ["const i32 X = ,", "E_SYNTAX at 1:15-1:16: expected a constant value but found ','"],
    ["include foo", "E_SYNTAX at 1:9-1:12: expected the included file as a string but found 'foo'"],
    ["enum E { A = 1.5 }", "E_SYNTAX at 1:14-1:17: expected an integer value but found '1.5'"],
    ["struct { 1: i32 a }", "E_SYNTAX at 1:8-1:9: expected a struct name but found '{'"],
    ["struct A { 1: i32 a (x = 5) }", "E_SYNTAX at 1:26-1:27: expected the annotation value as a string but found '5'"],
    [
      "struct A {} }",
      "E_SYNTAX at 1:13-1:14: expected a definition such as 'struct', 'enum' or 'service' but found '}'",
    ],
    ["typedef map<i32> M", "E_SYNTAX at 1:16-1:17: expected ',' but found '>'"],
    ["service S { void f() throws }", "E_SYNTAX at 1:29-1:30: expected '(' but found '}'"],
  ])("%s", (text, expected) => {
    expect(report(text)).toEqual([expected]);
  });

  it("points just after the last token when the file ends early", () => {
    expect(report("struct Last {\n  1: i32 a")).toEqual([
      "E_SYNTAX at 2:11-2:11: expected a field or '}' but found the end of the file",
    ]);
  });

  it("reports every error of a file and recovers the definitions around them", () => {
    const text = [
      "struct A {", // 1
      "  1: i32 a", // 2
      "  2: = 5", // 3
      "}", // 4
      'enum E { A = "x" }', // 5
      "service S {", // 6
      "  void f(1: i32 a", // 7
      "}", // 8
      "const i32 X = ", // 9
      "typedef list<> L", // 10
      "struct Fine { 1: i32 ok }", // 11
      "union U { 1: i32 x } junk here", // 12
      "struct Last {", // 13
    ].join("\n");
    const result = parse(text, "f.thrift");
    expect(result.diagnostics.map((d) => `${d.code} at ${at(d.range)}: ${d.message}`)).toEqual([
      "E_SYNTAX at 3:6-3:7: expected a field type but found '='",
      "E_SYNTAX at 5:14-5:17: expected an integer value but found '\"x\"'",
      "E_SYNTAX at 8:1-8:2: expected ')' but found '}'",
      "E_SYNTAX at 10:1-10:8: expected a constant value but found 'typedef'",
      "E_SYNTAX at 10:14-10:15: expected a field type but found '>'",
      "E_SYNTAX at 12:22-12:26: expected a definition such as 'struct', 'enum' or 'service' but found 'junk'",
      "E_SYNTAX at 13:14-13:14: expected a field or '}' but found the end of the file",
    ]);
    const names = result.document.definitions.map((d) => d.name.name);
    expect(names).toEqual(expect.arrayContaining(["A", "E", "S", "Fine", "U", "Last"]));
    const fine = result.document.definitions.find((d) => d.name.name === "Fine");
    expect(fine).toMatchObject({ kind: "struct", fields: [{ id: 1, name: { name: "ok" } }] });
    expect(at(fine!.range)).toBe("11:1-11:26");
  });

  it("recovers inside a struct when a single token is missing, keeping the later fields", () => {
    const result = parse("struct A {\n  1: i32 a,\n  2: list<i32 b,\n  3: i32 c\n}\nstruct B {}", "f.thrift");
    expect(result.diagnostics.map((d) => `${d.code} at ${at(d.range)}: ${d.message}`)).toEqual([
      "E_SYNTAX at 3:15-3:16: expected '>' but found 'b'",
    ]);
    const [a, b] = result.document.definitions;
    expect(a).toMatchObject({ kind: "struct", fields: [{ id: 1 }, { id: 2, type: { kind: "list" } }, { id: 3 }] });
    expect(b).toMatchObject({ kind: "struct", name: { name: "B" } });
  });

  it("mixes lexer and parser errors in source order", () => {
    expect(report("struct A { 1: i32 a = 0x }\nstruct B { 1: i32 ` }\nstruct C { 1: string s = 'x\\z' }")).toEqual([
      "E_INVALID_NUMBER at 1:23-1:25: '0x' is not a valid number (expected e.g. 42, -7, 0x7fff, 1.5 or 1e-10)",
      "E_UNEXPECTED_CHAR at 2:19-2:20: unexpected character '`'",
      "E_SYNTAX at 2:21-2:22: expected a field name but found '}'",
      "E_INVALID_ESCAPE at 3:28-3:30: unknown escape '\\z' in string (Thrift allows \\n \\r \\t \\\\ \\\" and \\')",
    ]);
  });

  it("reports a stray run of tokens between definitions once", () => {
    expect(report("typedef i32 A\n1 2 3 ) ( foo\ntypedef i32 B\n= =")).toEqual([
      "E_SYNTAX at 2:1-2:2: expected a definition such as 'struct', 'enum' or 'service' but found '1'",
      "E_SYNTAX at 4:1-4:2: expected a definition such as 'struct', 'enum' or 'service' but found '='",
    ]);
  });

  it("stops at brackets nested too deeply instead of overflowing the stack", () => {
    const deep = (n: number) => `const list<i32> X = ${"[".repeat(n)}${"]".repeat(n)}\ntypedef i32 After`;
    expect(report(deep(64))).toEqual([]);
    expect(report(deep(65))).toEqual([
      "E_NESTING_TOO_DEEP at 1:85-1:86: brackets are nested more than 64 levels deep here; the rest of the file is not parsed",
    ]);
    expect(report(deep(100_000)).map((line) => line.split(":")[0])).toEqual(["E_NESTING_TOO_DEEP at 1"]);
    expect(report(`typedef ${"list<".repeat(70)}i32${">".repeat(70)} T`)).toEqual([
      "E_NESTING_TOO_DEEP at 1:333-1:334: brackets are nested more than 64 levels deep here; the rest of the file is not parsed",
    ]);
  });

  it("has every code it emits in the registry", () => {
    expect(Object.keys(DIAGNOSTIC_CODES)).toEqual(expect.arrayContaining([
      "E_INVALID_ESCAPE",
      "E_INVALID_NUMBER",
      "E_MISPLACED_HEADER",
      "E_NESTING_TOO_DEEP",
      "E_SYNTAX",
      "E_UNEXPECTED_CHAR",
      "E_UNTERMINATED_COMMENT",
      "E_UNTERMINATED_STRING",
      "W_IMPLICIT_FIELD_ID",
    ]));
  });

  it("returns an empty document for empty or comment-only input", () => {
    for (const text of ["", "   \n", "// nothing\n/* here */"]) {
      const result = parse(text, "f.thrift");
      expect(result.diagnostics).toEqual([]);
      expect(result.document).toMatchObject({ file: "f.thrift", headers: [], definitions: [] });
    }
  });
});
