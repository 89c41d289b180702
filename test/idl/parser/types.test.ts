import { describe, expect, it } from "vitest";
import type { TypeRef } from "../../../idl/ast.js";
import { at, only, parseClean } from "./helpers.js";

/** The type of `typedef <type> T`. */
function typeOf(typeText: string): TypeRef {
  return only(parseClean(`typedef ${typeText} T`), "typedef").type;
}

/** A compact picture of a type: `map<string,list<i32>>`, with annotations as `@key=value`. */
function shape(type: TypeRef): string {
  const notes = type.annotations.map((a) => `@${a.key}${a.value === undefined ? "" : `=${a.value}`}`).join("");
  switch (type.kind) {
    case "base":
      return type.name + notes;
    case "named":
      return `#${type.name}${notes}`;
    case "list":
    case "set":
      return `${type.kind}<${shape(type.element)}>${notes}`;
    case "map":
      return `map<${shape(type.key)},${shape(type.value)}>${notes}`;
  }
}

describe("types", () => {
  it.each(["bool", "byte", "i8", "i16", "i32", "i64", "double", "string", "binary", "uuid"])(
    "parses the base type %s",
    (name) => {
      const type = typeOf(name);
      expect(type).toMatchObject({ kind: "base", name, annotations: [] });
      expect(at(type.range)).toBe(`1:9-1:${9 + name.length}`);
    },
  );

  it("parses named and include-scoped types", () => {
    expect(typeOf("UserId")).toMatchObject({ kind: "named", name: "UserId" });
    expect(typeOf("shared.SharedStruct")).toMatchObject({ kind: "named", name: "shared.SharedStruct" });
  });

  it("parses containers nested to any depth with exact ranges", () => {
    const type = typeOf("map<string, list<set<map<i32,list<binary>>>>>");
    expect(shape(type)).toBe("map<string,list<set<map<i32,list<binary>>>>>");
    expect(at(type.range)).toBe("1:9-1:54");
    if (type.kind !== "map") throw new Error("expected a map");
    expect(at(type.key.range)).toBe("1:13-1:19");
    expect(at(type.value.range)).toBe("1:21-1:53");
  });

  it("keeps annotations on base, named and container types, at any depth", () => {
    expect(shape(typeOf('string ( unicode.encoding = "UTF-16" )'))).toBe("string@unicode.encoding=UTF-16");
    expect(shape(typeOf('list< double ( cpp.fixed_point = "16" ) >'))).toBe("list<double@cpp.fixed_point=16>");
    expect(shape(typeOf('set<list<string> (python.immutable = "")>'))).toBe("set<list<string>@python.immutable=>");
    expect(shape(typeOf("Foo (a, b = 'c',)"))).toBe("#Foo@a@b=c");
    const type = typeOf('map<i32,i32> (cpp.template = "std::map")');
    expect(at(type.range)).toBe("1:9-1:49");
    expect(at(type.annotations[0]!.range)).toBe("1:23-1:48");
  });

  it("keeps cpp_type on containers as a cpp_type annotation", () => {
    expect(shape(typeOf('map cpp_type "std::unordered_map<int,int>" <i32, i32>'))).toBe(
      "map<i32,i32>@cpp_type=std::unordered_map<int,int>",
    );
    expect(shape(typeOf('set cpp_type "std::unordered_set<int>" <i32>'))).toBe(
      "set<i32>@cpp_type=std::unordered_set<int>",
    );
    expect(shape(typeOf('list<i32> cpp_type "std::list<int>"'))).toBe("list<i32>@cpp_type=std::list<int>");
    expect(at(typeOf('list<i32> cpp_type "L" (x)').annotations[0]!.range)).toBe("1:19-1:31");
  });
});
