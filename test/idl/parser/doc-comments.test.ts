import { describe, expect, it } from "vitest";
import { cleanDocComment } from "../../../idl/parser/doc-comments.js";
import { parseClean } from "./helpers.js";

describe("cleanDocComment", () => {
  it.each([
    ["/** one line */", "one line"],
    ["/**\n * Star\n * column\n */", "Star\ncolumn"],
    ["/**\n  No stars.\n    Indented more.\n  */", "No stars.\n  Indented more."],
    ["/** Trailing   \n  * ragged */", "Trailing\nragged"],
    ["/**\n *\n */", undefined],
    ["/*** extra stars ***/", "extra stars"],
    ["/**\n * para one\n *\n * para two\n */", "para one\n\npara two"],
    ["/**\n * Mostly stars\n but not here\n * and here\n */", "Mostly stars\nbut not here\nand here"],
    ["/**\n Items:\n   * one\n   * two\n   three\n */", "Items:\n  * one\n  * two\n  three"],
  ])("cleans %j", (comment, expected) => {
    expect(cleanDocComment(comment)).toBe(expected);
  });
});

describe("doc comment attachment", () => {
  it("attaches docs to definitions, fields, enum values, functions and params", () => {
    const text = [
      "/** The user. */",
      "struct User {",
      "  /** Primary key. */",
      "  1: i64 id,",
      "  2: string name",
      "}",
      "/** Colors. */ enum Color { /** Red. */ RED, GREEN }",
      "/**",
      " * Users service.",
      " */",
      "service Users {",
      "  /** Gets one. */",
      "  User get(/** The id. */ 1: i64 id)",
      "}",
      "/** A */ /* plain */ // line",
      "typedef i32 Kept",
      "/** orphan */ typedef i32 First; typedef i32 Second",
    ].join("\n");
    const [user, color, users, kept, first, second] = parseClean(text).definitions;
    expect(user!.doc).toBe("The user.");
    if (user!.kind !== "struct" || color!.kind !== "enum" || users!.kind !== "service")
      throw new Error("unexpected kinds");
    expect(user!.fields.map((f) => f.doc)).toEqual(["Primary key.", undefined]);
    expect(color!.doc).toBe("Colors.");
    expect(color!.values.map((v) => v.doc)).toEqual(["Red.", undefined]);
    expect(users!.doc).toBe("Users service.");
    expect(users!.functions[0]!.doc).toBe("Gets one.");
    expect(users!.functions[0]!.params[0]!.doc).toBe("The id.");
    expect(kept!.doc).toBe("A");
    expect(first!.doc).toBe("orphan");
    expect(second!.doc).toBeUndefined();
  });

  it("does not carry a doc comment past a token", () => {
    const [a, b] = parseClean(
      "typedef i32 A /** belongs to nothing after A? no: to B */ typedef i32 B\ntypedef i32 C",
    ).definitions;
    expect(a!.doc).toBeUndefined();
    expect(b!.doc).toBe("belongs to nothing after A? no: to B");
  });

  it("does not treat the empty comment /**/ as a doc", () => {
    expect(parseClean("/**/ typedef i32 A").definitions[0]!.doc).toBeUndefined();
  });
});
