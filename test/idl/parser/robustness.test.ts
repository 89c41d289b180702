import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { SourceRange } from "../../../idl/ast.js";
import { parse } from "../../../idl/parse.js";
import { SourceMap } from "../../../idl/parser/source-map.js";

const corpusRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../../shared/corpus/thrift");

const vocabulary = [
  "struct",
  "union",
  "exception",
  "enum",
  "service",
  "typedef",
  "const",
  "include",
  "cpp_include",
  "namespace",
  "extends",
  "oneway",
  "throws",
  "void",
  "required",
  "optional",
  "true",
  "false",
  "map",
  "set",
  "list",
  "cpp_type",
  "i32",
  "string",
  "uuid",
  "binary",
  "Foo",
  "a.b",
  "x",
  "*",
  "&",
  "{",
  "}",
  "(",
  ")",
  "[",
  "]",
  "<",
  ">",
  ",",
  ";",
  ":",
  "=",
  "1",
  "-2",
  "0x1f",
  "1.5e3",
  ".5",
  "0x",
  "1.",
  '"s"',
  "'t'",
  '"open',
  "/** doc */",
  "/* c */",
  "// l\n",
  "# h\n",
  "/*",
  "\\",
  "@",
  "\n",
  " ",
  "é",
  "😀",
  "\r\n",
];

/** Checks a range is inside the text and well-ordered. */
function expectSane(range: SourceRange, textLength: number): void {
  expect(range.start.offset).toBeGreaterThanOrEqual(0);
  expect(range.end.offset).toBeGreaterThanOrEqual(range.start.offset);
  expect(range.end.offset).toBeLessThanOrEqual(textLength);
  expect(range.start.line).toBeGreaterThanOrEqual(1);
  expect(range.start.column).toBeGreaterThanOrEqual(1);
}

function parseAndCheck(text: string): void {
  const result = parse(text, "fuzz.thrift");
  for (const diagnostic of result.diagnostics) {
    expectSane(diagnostic.range, text.length);
    expect(diagnostic.message.length).toBeGreaterThan(0);
  }
  for (const definition of result.document.definitions) {
    expectSane(definition.range, text.length);
    expect(text.slice(definition.name.range.start.offset, definition.name.range.end.offset)).toBe(definition.name.name);
  }
}

/** Line and column of `offset` counted the slow, obvious way. */
function naivePosition(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (text[i] === "\n" || (text[i] === "\r" && text[i + 1] !== "\n")) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

describe("source positions", () => {
  it("match a naive line/column count for any mix of line endings", () => {
    const text = fc.string({ unit: fc.constantFrom("a", " ", "\n", "\r", "\r\n", "é", "😀"), maxLength: 60 });
    fc.assert(
      fc.property(text, fc.nat(), (source, seed) => {
        const offset = seed % (source.length + 1);
        const position = new SourceMap("f", source).position(offset);
        expect({ line: position.line, column: position.column }).toEqual(naivePosition(source, offset));
      }),
      { numRuns: 500 },
    );
  });
});

describe("robustness", () => {
  it("never throws on arbitrary text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 300 }), (text) => parseAndCheck(text)),
      { numRuns: 500 },
    );
  });

  it("never throws on random sequences of Thrift tokens", () => {
    const tokens = fc.array(fc.constantFrom(...vocabulary), { maxLength: 80 });
    fc.assert(
      fc.property(tokens, (parts) => parseAndCheck(parts.join(" "))),
      { numRuns: 1000 },
    );
  });

  it("never throws on corpus files with a slice cut out", () => {
    const texts = readdirSync(corpusRoot, { recursive: true, encoding: "utf8" })
      .filter((name) => name.endsWith(".thrift"))
      .map((name) => readFileSync(path.join(corpusRoot, name), "utf8"));
    const cut = fc.tuple(fc.constantFrom(...texts), fc.nat(), fc.nat({ max: 40 })).map(([text, start, length]) => {
      const from = start % (text.length + 1);
      return text.slice(0, from) + text.slice(from + length);
    });
    fc.assert(
      fc.property(cut, (text) => parseAndCheck(text)),
      { numRuns: 300 },
    );
  });
});

/** About `targetBytes` of valid IDL using every kind of definition. */
function generateIdl(targetBytes: number): string {
  const parts: string[] = ['namespace java org.example.big\ninclude "shared.thrift"\n'];
  let size = parts[0]!.length;
  for (let i = 0; size < targetBytes; i++) {
    const chunk = [
      `/** Enum number ${i}. */\nenum Status${i} { ACTIVE = 1, INACTIVE, DELETED = 10 (deprecated) }\n`,
      `typedef map<string, list<i64>> Index${i}\n`,
      `const map<string, i32> LIMITS_${i} = { "min": -1, "max": 0x7fffffff, 'avg': 42 }\n`,
      `struct Record${i} {\n  /** The id. */\n  1: required i64 id,\n  2: optional string name = "record ${i}";\n  3: list<Record${i}> children\n  4: map<string, set<double>> scores (cpp.template = "std::map")\n  5: Status${i} status = Status${i}.ACTIVE\n}\n`,
      `exception NotFound${i} { 1: string message }\n`,
      `service Store${i} extends shared.Base {\n  Record${i} get(1: i64 id) throws (1: NotFound${i} missing),\n  oneway void touch(1: i64 id);\n  list<Record${i}> scan(1: i32 limit = 100, 2: Index${i} index) (rpc.timeout = "500")\n}\n`,
    ].join("");
    parts.push(chunk);
    size += chunk.length;
  }
  return parts.join("");
}

describe("performance sanity", () => {
  it("parses a generated ~200 KB file without diagnostics", () => {
    const text = generateIdl(200 * 1024);
    expect(text.length).toBeGreaterThanOrEqual(200 * 1024);
    parse(text, "warmup.thrift");
    const started = performance.now();
    const result = parse(text, "big.thrift");
    const elapsed = performance.now() - started;
    console.log(
      `parsed ${(text.length / 1024).toFixed(0)} KB (${result.document.definitions.length} definitions) in ${elapsed.toFixed(1)} ms`,
    );
    expect(result.diagnostics).toEqual([]);
    expect(result.document.definitions.length).toBeGreaterThan(1000);
  });
});
