import { describe, expect, it } from "vitest";
import { NameScope } from "../../generator/name-scope.js";
import { protoNumber } from "../../generator/proto-number.js";
import {
  bindingCandidate,
  enumMemberKey,
  exceptionPropertyCandidate,
  fieldPropertyCandidate,
  methodPropertyCandidate,
  propertyAccess,
  propertyKey,
} from "../../generator/safe-identifier.js";

describe("bindingCandidate", () => {
  it("keeps ordinary names", () => {
    expect(bindingCandidate("Work")).toBe("Work");
    expect(bindingCandidate("get_struct")).toBe("get_struct");
  });

  it("escapes reserved words, TypeScript type names and globals the generated code relies on", () => {
    for (const name of ["delete", "typeof", "class", "await", "arguments", "string", "undefined", "Error", "Promise", "Map", "Set", "Object", "Uint8Array", "NaN"]) {
      expect(bindingCandidate(name)).toBe(`${name}_`);
    }
  });

  it("replaces characters JavaScript does not allow in a name", () => {
    expect(bindingCandidate("a.b")).toBe("a_b");
  });
});

describe("property names", () => {
  it("only rename struct fields that an object literal cannot hold", () => {
    expect(fieldPropertyCandidate("delete")).toBe("delete");
    expect(fieldPropertyCandidate("constructor")).toBe("constructor");
    expect(fieldPropertyCandidate("__proto__")).toBe("__proto___");
  });

  it("rename exception fields that collide with Error's members, except a string message", () => {
    expect(exceptionPropertyCandidate("message", true)).toBe("message");
    expect(exceptionPropertyCandidate("message", false)).toBe("message_");
    expect(exceptionPropertyCandidate("name", true)).toBe("name_");
    expect(exceptionPropertyCandidate("stack", false)).toBe("stack_");
    expect(exceptionPropertyCandidate("toString", false)).toBe("toString_");
    expect(exceptionPropertyCandidate("code", false)).toBe("code");
  });

  it("rename methods a class cannot declare", () => {
    expect(methodPropertyCandidate("constructor")).toBe("constructor_");
    expect(methodPropertyCandidate("__proto__")).toBe("__proto___");
    expect(methodPropertyCandidate("toString")).toBe("toString");
  });

  it("writes keys and accesses that keep __proto__ an own property", () => {
    expect(propertyKey("a")).toBe("a");
    expect(propertyKey("rpc.timeout")).toBe('"rpc.timeout"');
    expect(propertyKey("__proto__")).toBe('["__proto__"]');
    expect(propertyAccess("x", "a")).toBe("x.a");
    expect(propertyAccess("x", "__proto__")).toBe('x["__proto__"]');
    expect(enumMemberKey("__proto__")).toBe('"__proto__"');
    expect(enumMemberKey("delete")).toBe("delete");
  });
});

describe("NameScope", () => {
  it("appends underscores until a name is free", () => {
    const scope = new NameScope(["Foo"]);
    expect(scope.claim("Foo")).toBe("Foo_");
    expect(scope.claim("Foo")).toBe("Foo__");
    expect(scope.claim("Bar")).toBe("Bar");
  });
});

describe("protoNumber", () => {
  it("follows the table of docs/PROTO-MAPPING.md", () => {
    expect(protoNumber(1)).toBe(1);
    expect(protoNumber(18999)).toBe(18999);
    expect(protoNumber(19000)).toBe(59000);
    expect(protoNumber(32767)).toBe(72767);
    expect(protoNumber(0)).toBe(100000);
    expect(protoNumber(-1)).toBe(100001);
    expect(protoNumber(-32768)).toBe(132768);
  });
});
