/**
 * Enums in Connect's proto3 JSON. An IDL enum is `int32` in the generated
 * `.proto` (docs/PROTO-MAPPING.md), so its JSON is a number: that is what the
 * server writes (and what a client generated from the `.proto` reads). The
 * reader takes a number, a quoted number or a value's IDL name, anywhere an
 * enum stands (a field, an element, a map key or value); a name the enum does
 * not have is INVALID_ARGUMENT naming the field, the value and the names it has.
 */
import { describe, expect, it } from "vitest";
import { Code, RpcError, type EnumDescriptor, type TypeDescriptor } from "@rpcgen/runtime";
import { connectJson } from "@rpcgen/runtime/internal/protocols/connect/connect-codecs.js";
import { protoJsonConverterFor, protoJsonStructConverter } from "@rpcgen/runtime/internal/protocols/connect/proto-json-read.js";
import { protoJsonStructWriter, protoJsonWriterFor } from "@rpcgen/runtime/internal/protocols/connect/proto-json-write.js";
import { ValueError } from "@rpcgen/runtime/internal/codec/value-error.js";
import { CalculatorService, OperationDescriptor, WorkDescriptor } from "../../../examples/calculator/gen/calculator.js";

/** Values below zero, gaps, and a name that is a property of every object. */
const Color: EnumDescriptor = { name: "paint.Color", values: { BLACK: -1, RED: 1, GREEN: 2, BLUE: 4, constructor: 7 } };
const color: TypeDescriptor = { kind: "enum", enum: Color };
const operation: TypeDescriptor = { kind: "enum", enum: OperationDescriptor };

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

describe("reading an enum from proto3 JSON", () => {
  it("takes a value's IDL name, its number, or its number quoted", () => {
    const read = protoJsonConverterFor(color);
    expect(read("BLUE")).toBe(4);
    expect(read("BLACK")).toBe(-1);
    expect(read("constructor")).toBe(7);
    expect(read(4)).toBe(4);
    expect(read("-1")).toBe(-1);
  });

  it("names in a struct field, list elements, map keys and map values", () => {
    expect(protoJsonStructConverter(WorkDescriptor)({ num1: 1, num2: 2, op: "MULTIPLY" })).toEqual({ num1: 1, num2: 2, op: 3 });
    expect(protoJsonConverterFor({ kind: "list", element: color })({ items: ["RED", 2, "BLUE"] })).toEqual([1, 2, 4]);
    expect(protoJsonConverterFor({ kind: "set", element: color })(["GREEN"])).toEqual([2]);
    const map = protoJsonConverterFor({ kind: "map", key: color, value: operation });
    expect(
      map({
        entries: [
          { key: "BLACK", value: "DIVIDE" },
          { key: 1, value: 2 },
        ],
      }),
    ).toEqual([
      [-1, 4],
      [1, 2],
    ]);
  });

  it("a name the enum does not have is refused with the path, the value and the enum's names", () => {
    const error = thrown(() => protoJsonStructConverter(WorkDescriptor)({ num1: 1, num2: 2, op: "ADDD" }));
    expect(error).toBeInstanceOf(ValueError);
    expect((error as ValueError).path).toBe("op");
    expect((error as ValueError).detail).toBe('string "ADDD" names no value of enum calculator.Operation (its values: ADD, SUBTRACT, MULTIPLY, DIVIDE)');
    // Names are exact: no other case, and nothing an object inherits.
    expect(() => protoJsonConverterFor(color)("blue")).toThrow('string "blue" names no value of enum paint.Color');
    expect(() => protoJsonConverterFor(operation)("toString")).toThrow('string "toString" names no value of enum calculator.Operation');
    expect(() => protoJsonConverterFor(operation)("__proto__")).toThrow('string "__proto__" names no value of enum calculator.Operation');
  });

  it("an enum of many values lists its first ten names", () => {
    const values = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`V${i}`, i]));
    const many: TypeDescriptor = { kind: "enum", enum: { name: "t.Many", values } };
    expect(() => protoJsonConverterFor(many)("V12")).toThrow("(its values: V0, V1, V2, V3, V4, V5, V6, V7, V8, V9, and 2 more)");
  });

  it("through the Connect JSON codec: a name is the argument's number; an unknown one is INVALID_ARGUMENT at its field", () => {
    const calculate = CalculatorService.methods["calculate"]!;
    const body = (op: unknown) =>
      Buffer.from(
        JSON.stringify({
          batch: {
            items: [
              { num1: 1, num2: 2, op: 1 },
              { num1: 3, num2: 4, op },
            ],
          },
        }),
      );
    expect(connectJson.decodeArgs(calculate, body("DIVIDE"))).toEqual([
      [
        { num1: 1, num2: 2, op: 1 },
        { num1: 3, num2: 4, op: 4 },
      ],
    ]);
    const error = thrown(() => connectJson.decodeArgs(calculate, body("MODULO")));
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe(Code.INVALID_ARGUMENT);
    expect((error as RpcError).message).toBe(
      'Calculator.calculate: cannot decode args at batch[1].op: string "MODULO" names no value of enum calculator.Operation (its values: ADD, SUBTRACT, MULTIPLY, DIVIDE)',
    );
    // A number the enum does not have is the JSON codec's own refusal, as before.
    expect(() => connectJson.decodeArgs(calculate, body(9))).toThrow("expected a value of enum calculator.Operation, got number 9");
  });
});

describe("writing an enum as proto3 JSON", () => {
  it("writes the number: the field is int32 in the .proto, and a generated client reads only numbers there", () => {
    expect(protoJsonWriterFor(color)(-1)).toBe("-1");
    expect(protoJsonStructWriter(WorkDescriptor)({ num1: 1, num2: 2, op: 3 })).toBe('{"num1":1,"num2":2,"op":3}');
    expect(protoJsonWriterFor({ kind: "map", key: color, value: operation })(new Map([[4, 1]]))).toBe('{"entries":[{"key":4,"value":1}]}');
  });

  it("a read name writes back as its number", () => {
    const read = protoJsonStructConverter(WorkDescriptor)({ num1: 1, num2: 2, op: "SUBTRACT" });
    expect(protoJsonStructWriter(WorkDescriptor)(read)).toBe('{"num1":1,"num2":2,"op":2}');
  });
});
