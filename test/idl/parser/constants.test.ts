import { describe, expect, it } from "vitest";
import type { ConstValue } from "../../../idl/ast.js";
import { at, only, parseClean } from "./helpers.js";

function valueOf(literal: string): ConstValue {
  return only(parseClean(`const T X = ${literal}`), "const").value;
}

describe("constant values", () => {
  it.each([
    ["0", 0n],
    ["42", 42n],
    ["+7", 7n],
    ["-7", -7n],
    ["098325", 98325n],
    ["0x7fff", 32767n],
    ["-0x0001F", -31n],
    ["0xFFFFFFFFFFFFFFFF", 18446744073709551615n],
    ["9223372036854775807", 9223372036854775807n],
    ["-9223372036854775808", -9223372036854775808n],
    ["99999999999999999999999", 99999999999999999999999n],
  ])("parses the integer %s exactly as a bigint", (text, value) => {
    const constant = valueOf(text);
    expect(constant).toMatchObject({ kind: "int", value, text });
    expect(at(constant.range)).toBe(`1:13-1:${13 + text.length}`);
  });

  it.each([
    ["1.5", 1.5],
    ["1e10", 1e10],
    ["-1e10", -1e10],
    ["1e-10", 1e-10],
    ["-1.5E+3", -1500],
    [".5", 0.5],
    ["+2.25", 2.25],
    ["085.2355", 85.2355],
    ["1.7e+308", 1.7e308],
    ["9223372036854775816.43", 9223372036854775816.43],
  ])("parses the double %s", (text, value) => {
    expect(valueOf(text)).toMatchObject({ kind: "double", value, text });
  });

  it("parses single- and double-quoted strings with every Thrift escape", () => {
    expect(valueOf(`"a\\"b\\'c\\\\d\\ne\\rf\\tg"`)).toMatchObject({ kind: "string", value: "a\"b'c\\d\ne\rf\tg" });
    expect(valueOf(`'it\\'s "quoted"'`)).toMatchObject({ kind: "string", value: `it's "quoted"` });
    expect(valueOf(`"中文 колбаса"`)).toMatchObject({ kind: "string", value: "中文 колбаса" });
    const empty = valueOf(`''`);
    expect(empty).toMatchObject({ kind: "string", value: "" });
    expect(at(empty.range)).toBe("1:13-1:15");
  });

  it("parses booleans and references to constants and enum values", () => {
    expect(valueOf("true")).toMatchObject({ kind: "bool", value: true });
    expect(valueOf("false")).toMatchObject({ kind: "bool", value: false });
    for (const name of ["MAX", "Color.RED", "inc.Color.RED"]) {
      const value = valueOf(name);
      expect(value).toMatchObject({ kind: "identifier", name });
      expect(at(value.range)).toBe(`1:13-1:${13 + name.length}`);
    }
  });

  it("parses nested lists and maps with ranges for every entry", () => {
    const value = valueOf("{'a': [1, 2.5], \"b\": {k: v}, 3: []}");
    expect(value.kind).toBe("map");
    if (value.kind !== "map") return;
    expect(at(value.range)).toBe("1:13-1:48");
    expect(value.entries.map((e) => [e.key.kind, e.value.kind, at(e.range)])).toEqual([
      ["string", "list", "1:14-1:27"],
      ["string", "map", "1:29-1:40"],
      ["int", "list", "1:42-1:47"],
    ]);
    const list = value.entries[0]!.value;
    expect(list).toMatchObject({
      kind: "list",
      elements: [
        { kind: "int", value: 1n },
        { kind: "double", value: 2.5 },
      ],
    });
    const inner = value.entries[1]!.value;
    expect(inner).toMatchObject({
      kind: "map",
      entries: [{ key: { kind: "identifier", name: "k" }, value: { kind: "identifier", name: "v" } }],
    });
  });

  it("spreads a constant over several lines", () => {
    const constant = only(parseClean("const map<string,i32> M = {\n  'one': 1,\n  'two': 2\n}"), "const");
    expect(at(constant.range)).toBe("1:1-4:2");
    if (constant.value.kind !== "map") throw new Error("expected a map");
    expect(at(constant.value.entries[1]!.value.range)).toBe("3:10-3:11");
  });
});
