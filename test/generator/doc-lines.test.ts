import { describe, expect, it } from "vitest";
import { DocBuilder } from "../../generator/model/doc-lines.js";
import { parse } from "../../idl/parse.js";

/** The JSDoc lines rpcgen writes for an IDL doc comment. */
function jsdoc(builder: DocBuilder): string[] {
  const lines = builder.lines();
  if (lines === null) return [];
  return lines.single !== null ? [`/**${lines.single} */`] : ["/**", ...lines.lines.map((l) => ` *${l}`), " */"];
}

describe("JSDoc from IDL doc comments", () => {
  it("turns Java's @Deprecated into @deprecated, and adds none of its own then", () => {
    const doc = new DocBuilder("Old.\n@Deprecated use New").deprecated([
      { key: "deprecated", value: "gone", range: undefined as never },
    ]);
    expect(jsdoc(doc)).toEqual(["/**", " * Old.", " *", " * @deprecated use New", " */"]);
  });

  it("takes the IDL's own @throws into the typed @throws instead of writing it twice", () => {
    const doc = new DocBuilder("Divides.\n@throws DivideByZero when b is 0\n  (and only then)\n@see multiply");
    doc.throws("calc.DivideByZero", "oops", "").throws("Awkward", "awk", "always");
    expect(jsdoc(doc)).toEqual([
      "/**",
      " * Divides.",
      " *",
      " * @see multiply",
      " * @throws {calc.DivideByZero} oops when b is 0 (and only then)",
      " * @throws {Awkward} awk always",
      " */",
    ]);
  });

  it("does not repeat a @param the IDL documents itself", () => {
    const doc = new DocBuilder("Adds.\n@param a the first").param(["a", "a"], "ignored").param(["b", "b"], "the second");
    expect(jsdoc(doc)).toEqual(["/**", " * Adds.", " *", " * @param a the first", " * @param b the second", " */"]);
  });

  it("renders lines written without a leading star like their starred neighbours", () => {
    const { document } = parse("/**\n * One.\n   Two, no star.\n * Three.\n */\nstruct S {}", "s.thrift");
    expect(jsdoc(new DocBuilder(document.definitions[0]!.doc))).toEqual([
      "/**",
      " * One.",
      " * Two, no star.",
      " * Three.",
      " */",
    ]);
  });
});
