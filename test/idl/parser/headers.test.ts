import { describe, expect, it } from "vitest";
import { parse } from "../../../idl/parse.js";
import { at, parseClean } from "./helpers.js";

describe("headers", () => {
  it("parses include with its scope name and range", () => {
    const document = parseClean("include \"shared.thrift\"\ninclude '../dir/other.types.thrift'");
    expect(document.headers).toEqual([
      expect.objectContaining({ kind: "include", path: "shared.thrift", scope: "shared" }),
      expect.objectContaining({ kind: "include", path: "../dir/other.types.thrift", scope: "other.types" }),
    ]);
    expect(document.headers.map((h) => at(h.range))).toEqual(["1:1-1:24", "2:1-2:36"]);
  });

  it("parses cpp_include", () => {
    const document = parseClean('cpp_include "<unordered_map>"');
    expect(document.headers).toEqual([expect.objectContaining({ kind: "cpp_include", path: "<unordered_map>" })]);
    expect(at(document.headers[0]!.range)).toBe("1:1-1:30");
  });

  it("parses namespaces with dotted scopes, '*' and annotations", () => {
    const document = parseClean(
      'namespace java org.example.api\nnamespace py.twisted example.twisted\nnamespace * example\nnamespace go example (package.prefix = "github.com/x", flag)',
    );
    const namespaces = document.headers.map((h) =>
      h.kind === "namespace" ? [h.scope, h.name, h.annotations.map((a) => [a.key, a.value])] : [],
    );
    expect(namespaces).toEqual([
      ["java", "org.example.api", []],
      ["py.twisted", "example.twisted", []],
      ["*", "example", []],
      [
        "go",
        "example",
        [
          ["package.prefix", "github.com/x"],
          ["flag", undefined],
        ],
      ],
    ]);
    expect(document.headers.map((h) => at(h.range))).toEqual(["1:1-1:31", "2:1-2:37", "3:1-3:20", "4:1-4:61"]);
  });

  it("reports a header after the first definition but keeps it", () => {
    const result = parse('typedef i32 A\ninclude "late.thrift"\nnamespace java late', "f.thrift");
    expect(result.diagnostics.map((d) => `${d.code} at ${at(d.range)}`)).toEqual([
      "E_MISPLACED_HEADER at 2:1-2:22",
      "E_MISPLACED_HEADER at 3:1-3:20",
    ]);
    expect(result.diagnostics[0]!.message).toBe("'include' must come before the first definition (here 'A' at line 1)");
    expect(result.document.headers).toHaveLength(2);
  });

  it("reports a namespace without a scope", () => {
    const result = parse("namespace\ntypedef i32 A", "f.thrift");
    expect(result.diagnostics.map((d) => `${d.code} at ${at(d.range)}: ${d.message}`)).toEqual([
      "E_SYNTAX at 2:1-2:8: expected a language scope such as 'java', 'py.twisted' or '*' but found 'typedef'",
    ]);
    expect(result.document.definitions.map((d) => d.name.name)).toEqual(["A"]);
  });
});
