import { describe, expect, it } from "vitest";
import { type MethodDescriptor, type StructDescriptor, ValidationError, assertValidStruct, validateArgs, validateStruct, validateValue } from "@rpcgen/runtime";

const color = { name: "t.Color", values: { RED: 1, BLUE: 2 } };
const node: StructDescriptor = {
  name: "t.Node",
  kind: "struct",
  fields: [
    { id: 1, name: "name", jsName: "name", protoNumber: 1, type: { kind: "string" }, requiredness: "required" },
    { id: 2, name: "next", jsName: "next", protoNumber: 2, type: { kind: "struct", struct: () => node }, requiredness: "optional" },
    { id: 3, name: "__proto__", jsName: "__proto___", protoNumber: 3, type: { kind: "uuid" }, requiredness: "optional" },
  ],
};
const method: MethodDescriptor = {
  name: "put",
  jsName: "put",
  fullName: "S.put",
  service: "S",
  oneway: false,
  args: {
    name: "t.S_put_args",
    kind: "struct",
    fields: [
      { id: 1, name: "key", jsName: "key", protoNumber: 1, type: { kind: "i64", repr: "string" }, requiredness: "default" },
      { id: 2, name: "tags", jsName: "tags", protoNumber: 2, type: { kind: "set", element: { kind: "enum", enum: color } }, requiredness: "required" },
    ],
  },
  result: { name: "t.S_put_result", kind: "struct", fields: [] },
  hints: {},
  annotations: {},
};

describe("validateValue", () => {
  it("walks maps, naming keys and values", () => {
    const type = { kind: "map", key: { kind: "string" }, value: { kind: "list", element: { kind: "binary" } } } as const;
    expect(validateValue(type, new Map([["a", [new Uint8Array(1), "x"]]]), "m")).toEqual([
      { path: 'm["a"][1]', message: "expected binary (a Uint8Array), got string" },
    ]);
    expect(validateValue(type, new Map([[1, []]]), "m")).toEqual([{ path: "m.<key 0>", message: "expected string, got number" }]);
    expect(validateValue(type, {}, "m")).toEqual([{ path: "m", message: "expected map (a Map), got object" }]);
  });

  it("checks i64 ranges in every representation", () => {
    expect(validateValue({ kind: "i64", repr: "bigint" }, 1n << 63n, "x")[0]?.message).toBe(
      "expected i64 (a signed 64-bit integer), got 9223372036854775808n",
    );
    expect(validateValue({ kind: "i64", repr: "string" }, "-9223372036854775808", "x")).toEqual([]);
    expect(validateValue({ kind: "i64", repr: "string" }, "9223372036854775808", "x")).toHaveLength(1);
    expect(validateValue({ kind: "i64", repr: "number" }, 2 ** 53, "x")).toHaveLength(1);
  });
});

describe("validateStruct", () => {
  it("follows recursive types and reports a cycle instead of looping", () => {
    const a: Record<string, unknown> = { name: "a" };
    a["next"] = { name: "b", next: a };
    expect(validateStruct(node, a, "n")).toEqual([{ path: "n.next.next", message: "cyclic reference: the value contains itself" }]);
    const shared = { name: "s" };
    expect(validateStruct(node, { name: "x", next: { name: "y", next: shared } }, "n")).toEqual([]);
  });

  it("reads fields by jsName and reports them by IDL name", () => {
    expect(validateStruct(node, { name: "a", __proto___: "nope" }, "n")).toEqual([
      { path: "n.__proto__", message: 'expected uuid (8-4-4-4-12 hex digits), got "nope"' },
    ]);
  });

  it("stops after twenty issues", () => {
    const list: StructDescriptor = {
      name: "t.L",
      kind: "struct",
      fields: [{ id: 1, name: "xs", jsName: "xs", protoNumber: 1, type: { kind: "list", element: { kind: "i8" } }, requiredness: "default" }],
    };
    expect(validateStruct(list, { xs: Array.from({ length: 1000 }, () => 999) }, "l")).toHaveLength(20);
  });

  it("throws an INVALID_ARGUMENT ValidationError from the assert form", () => {
    expect(() => assertValidStruct(node, null, "n")).toThrow(new ValidationError([{ path: "n", message: "expected struct t.Node, got null" }]));
  });
});

describe("validateArgs", () => {
  it("checks positional arguments, paths starting at the argument name", () => {
    expect(validateArgs(method, ["12", new Set([1, 3])])).toEqual([{ path: "tags[1]", message: "expected a value of enum t.Color, got 3" }]);
    expect(validateArgs(method, [undefined])).toEqual([{ path: "tags", message: "required field is missing" }]);
  });
});
