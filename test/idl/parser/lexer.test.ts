import { describe, expect, it } from "vitest";
import { parse } from "../../../idl/parse.js";
import { Lexer } from "../../../idl/parser/chevrotain.js";
import { ThriftGrammar } from "../../../idl/parser/grammar.js";
import { allTokens } from "../../../idl/parser/tokens.js";
import { at, codesAt, only, parseClean } from "./helpers.js";

describe("lexer", () => {
  it("reports an unexpected character with its exact position and keeps parsing", () => {
    const result = parse("struct A {\n  1: i32 @a\n}\nstruct B {}", "f.thrift");
    expect(result.diagnostics).toHaveLength(1);
    const [diagnostic] = result.diagnostics;
    expect(diagnostic!.code).toBe("E_UNEXPECTED_CHAR");
    expect(diagnostic!.severity).toBe("error");
    expect(diagnostic!.message).toBe("unexpected character '@'");
    expect(at(diagnostic!.range)).toBe("2:10-2:11");
    expect(diagnostic!.range.file).toBe("f.thrift");
    expect(result.document.definitions.map((d) => d.name.name)).toEqual(["A", "B"]);
  });

  it("reports a run of unexpected characters once", () => {
    expect(codesAt("typedef i32 A\n$$$ typedef i32 B")).toEqual(["E_UNEXPECTED_CHAR at 2:1-2:4"]);
  });

  it("reports a string cut off by the end of the line", () => {
    const result = parse('const string S = "abc\nconst i32 X = 1', "f.thrift");
    expect(result.diagnostics.map((d) => `${d.code} at ${at(d.range)}`)).toEqual([
      "E_UNTERMINATED_STRING at 1:18-1:22",
    ]);
    expect(result.diagnostics[0]!.message).toContain('" is missing');
    // The cut-off string still counts as the value, so the next const parses too.
    expect(result.document.definitions.map((d) => d.name.name)).toEqual(["S", "X"]);
  });

  it("reports a comment that is never closed at its opening", () => {
    const result = parse("typedef i32 A\n  /* never\nclosed", "f.thrift");
    expect(result.diagnostics.map((d) => `${d.code} at ${at(d.range)}`)).toEqual(["E_UNTERMINATED_COMMENT at 2:3-2:5"]);
    expect(result.document.definitions).toHaveLength(1);
  });

  it.each([
    ["0x", "1:15-1:17"],
    ["12abc", "1:15-1:20"],
    ["1.", "1:15-1:17"],
    ["0XFF", "1:15-1:19"],
    ["1.2.3", "1:15-1:20"],
  ])("reports the malformed number %s", (literal, range) => {
    expect(codesAt(`const i32 X = ${literal}`)).toEqual([`E_INVALID_NUMBER at ${range}`]);
  });

  it("reports an unknown escape at the backslash", () => {
    const result = parse('const string S = "a\\qb"', "f.thrift");
    expect(result.diagnostics.map((d) => `${d.code} at ${at(d.range)}`)).toEqual(["E_INVALID_ESCAPE at 1:20-1:22"]);
    expect(result.diagnostics[0]!.message).toContain("'\\q'");
  });

  it("counts lines across \\n, \\r\\n and lone \\r, and columns in UTF-16 units", () => {
    const document = parseClean("typedef i32 A\r\ntypedef i32 B\rtypedef i32 C\n/* é😀 */ typedef i32 D");
    expect(document.definitions.map((d) => at(d.name.range))).toEqual([
      "1:13-1:14",
      "2:13-2:14",
      "3:13-3:14",
      "4:23-4:24",
    ]);
    expect(document.definitions[3]!.name.range.start.offset).toBe(65);
  });

  it("skips a byte order mark at the start of the file", () => {
    const document = parseClean("\uFEFFtypedef i32 A");
    expect(at(only(document, "typedef").range)).toBe("1:2-1:15");
  });

  it("skips //, # and /* */ comments, including ones with several closing stars", () => {
    const document = parseClean("// line\n# unix\n/* block\n */ /**/ /***/ /* x **/ typedef i32 A // tail");
    expect(only(document, "typedef").name.name).toBe("A");
  });

  it("treats names that are keywords in TypeScript but not Thrift as ordinary names", () => {
    const names = [
      "delete",
      "typeof",
      "constructor",
      "Error",
      "Promise",
      "__proto__",
      "toString",
      "class",
      "function",
      "new",
    ];
    const text = `struct S {\n${names.map((n, i) => `  ${i + 1}: i32 ${n}`).join("\n")}\n}`;
    const struct = only(parseClean(text), "struct");
    expect(struct.fields.map((f) => f.name.name)).toEqual(names);
  });

  it("lexes names that start with a keyword, or contain dots, as one name", () => {
    const struct = only(parseClean("struct structure { 1: stringy listing; 2: a.b.c i32x }"), "struct");
    expect(struct.name.name).toBe("structure");
    expect(struct.fields.map((f) => [f.type.kind === "named" ? f.type.name : f.type.kind, f.name.name])).toEqual([
      ["stringy", "listing"],
      ["a.b.c", "i32x"],
    ]);
    expect(at(struct.fields[1]!.type.range)).toBe("1:43-1:48");
  });

  it("accepts Thrift keywords as field names, as Thrift's FieldName rule does", () => {
    const keywords = [
      "string",
      "type",
      "required",
      "optional",
      "map",
      "list",
      "service",
      "struct",
      "namespace",
      "async",
    ];
    const text = `struct S {\n${keywords.map((k, i) => `  ${i + 1}: i32 ${k}`).join("\n")}\n}`;
    const struct = only(parseClean(text), "struct");
    expect(struct.fields.map((f) => f.name.name)).toEqual(keywords);
    expect(at(struct.fields[0]!.name.range)).toBe("2:10-2:16");
  });

  it("rejects keywords as type, function and enum value names", () => {
    const report = (text: string) =>
      parse(text, "f.thrift").diagnostics.map((d) => `${d.code} at ${at(d.range)}: ${d.message}`);
    expect(report("struct string {}")).toEqual(["E_SYNTAX at 1:8-1:14: expected a struct name but found 'string'"]);
    expect(report("service S { void map() }")).toEqual([
      "E_SYNTAX at 1:18-1:21: expected a function name but found 'map'",
    ]);
    expect(report("struct S { 1: i32 true }")).toEqual([
      "E_SYNTAX at 1:19-1:23: expected a field name but found 'true'",
    ]);
  });
});

describe("the grammar and the token definitions", () => {
  // The parser and lexer skip chevrotain's validations at start-up, for speed; here they run.
  it("pass chevrotain's validations", () => {
    expect(() => new ThriftGrammar(true)).not.toThrow();
    expect(new Lexer(allTokens, { positionTracking: "full", ensureOptimizations: true }).lexerDefinitionErrors).toEqual([]);
  });
});
