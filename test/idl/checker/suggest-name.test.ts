import { describe, expect, it } from "vitest";
import { didYouMean } from "../../../idl/suggest-name.js";
import { messagesOf } from "./in-memory-program.js";

describe("didYouMean", () => {
  it("suggests the closest candidate within the edit limit", () => {
    expect(didYouMean("Adress", ["User", "Address", "Addresses"])).toBe(' (did you mean "Address"?)');
    expect(didYouMean("Bsae", ["Base"])).toBe(' (did you mean "Base"?)');
    expect(didYouMean("ab", ["abc"])).toBe("");
  });

  it("allows one edit for short names and two for longer ones", () => {
    expect(didYouMean("Usr", ["Uxsxr"])).toBe("");
    expect(didYouMean("Accont", ["Account"])).toBe(' (did you mean "Account"?)');
    expect(didYouMean("Acnt", ["Account"])).toBe("");
  });

  it("suggests nothing when nothing is close, or for an exact match", () => {
    expect(didYouMean("Order", ["Customer", "Invoice"])).toBe("");
    expect(didYouMean("Order", ["Order"])).toBe("");
    expect(didYouMean("Order", [])).toBe("");
  });
});

describe("suggestions in messages", () => {
  it("suggests built-in types and keywords", () => {
    expect(messagesOf("struct A { 1: strng name, 2: lst<i32> xs }", "E_UNKNOWN_TYPE")).toEqual([
      'unknown type "strng" (did you mean "string"?)',
    ]);
    expect(messagesOf("servce Users {}\nstruct B {}\nstrcut A {}", "E_SYNTAX")).toEqual([
      "expected a definition such as 'struct', 'enum' or 'service' but found 'servce' (did you mean \"service\"?)",
      "expected a definition such as 'struct', 'enum' or 'service' but found 'strcut' (did you mean \"struct\"?)",
    ]);
  });

  it("suggests local and scoped types", () => {
    expect(messagesOf("struct Address {}\nstruct A { 1: Adress a }", "E_UNKNOWN_TYPE")).toEqual([
      'unknown type "Adress" (did you mean "Address"?)',
    ]);
    const shared = { "shared.thrift": "struct Thing {}" };
    expect(messagesOf('include "shared.thrift"\nstruct A { 1: shared.Thng t }', "E_UNKNOWN_TYPE", shared)).toEqual([
      'unknown type "shared.Thng": shared.thrift defines no type "Thng" (did you mean "shared.Thing"?)',
    ]);
  });

  it("suggests constants, enum values, fields and services", () => {
    expect(messagesOf("const i32 TIMEOUT = 5\nconst i32 X = TIMOUT", "E_UNKNOWN_CONSTANT")).toEqual([
      'unknown constant "TIMOUT" (did you mean "TIMEOUT"?)',
    ]);
    expect(messagesOf("enum Color { GREEN }\nconst Color C = Color.GREN", "E_UNKNOWN_ENUM_VALUE")).toEqual([
      '"Color.GREN" is not a value of enum Color (did you mean "Color.GREEN"?)',
    ]);
    expect(messagesOf("struct P { 1: string label }\nconst P X = { 'lable': 'a' }", "E_UNKNOWN_FIELD")).toEqual([
      'struct P has no field "lable" (did you mean "label"?)',
    ]);
    expect(messagesOf("service Base {}\nservice S extends Bsae {}", "E_UNKNOWN_SERVICE")).toEqual([
      'unknown service "Bsae" (did you mean "Base"?)',
    ]);
  });
});
