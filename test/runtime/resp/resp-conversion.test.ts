import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { RespConversionError, type MethodDescriptor } from "@rpcgen/runtime";
import { readRespArguments, writeRespArguments } from "@rpcgen/runtime/internal/resp/call-arguments.js";
import { resultToRespReply } from "@rpcgen/runtime/internal/resp/result-reply.js";
import { respReplyToResult } from "@rpcgen/runtime/internal/resp/reply-result.js";
import { serializeResp } from "@rpcgen/runtime/internal/resp/resp-serializer.js";
import { calculatorMethod } from "./fixtures/calculator.js";

const words = (...texts: (string | Buffer)[]) => texts.map((t) => (typeof t === "string" ? Buffer.from(t) : t));
const read = (name: string, ...texts: (string | Buffer)[]) => readRespArguments(calculatorMethod(name), words(...texts));
const readError = (name: string, ...texts: string[]): string => {
  try {
    read(name, ...texts);
  } catch (error) {
    expect(error).toBeInstanceOf(RespConversionError);
    return (error as Error).message;
  }
  throw new Error("expected a conversion error");
};

describe("readRespArguments (command line → IDL values)", () => {
  it("reads integers with range checks", () => {
    expect(read("add", "1", "-2")).toEqual([1, -2]);
    expect(read("echoI8", "-128")).toEqual([-128]);
    expect(readError("echoI8", "128")).toBe("argument 'v' (i8): 128 is out of range for i8 (-128..127)");
    expect(readError("echoI16", "40000")).toMatch(/out of range for i16/);
    expect(readError("add", "2147483648", "1")).toMatch(/argument 'a' \(i32\): 2147483648 is out of range for i32/);
    expect(readError("add", "1", "1.5")).toBe(`argument 'b' (i32): "1.5" is not an integer`);
  });

  it("reads i64 exactly, in the declared representation", () => {
    expect(read("echoI64", "9223372036854775807")).toEqual([9223372036854775807n]);
    expect(read("echoI64String", "-9223372036854775808")).toEqual(["-9223372036854775808"]);
    expect(read("echoI64Number", "9007199254740991")).toEqual([9007199254740991]);
    expect(readError("echoI64Number", "9007199254740993")).toMatch(/cannot be held exactly by a JavaScript number/);
    expect(readError("echoI64", "9223372036854775808")).toMatch(/out of range for i64/);
  });

  it("reads booleans, doubles, strings, uuids, binary and enums", () => {
    expect(read("echoBool", "true")).toEqual([true]);
    expect(read("echoBool", "0")).toEqual([false]);
    expect(readError("echoBool", "yes")).toMatch(/is not a bool \(use true, false, 1 or 0\)/);
    expect(read("echoDouble", "-1.5e3")).toEqual([-1500]);
    expect(read("echoDouble", "inf")).toEqual([Infinity]);
    expect(read("echoDouble", "nan")).toEqual([NaN]);
    expect(readError("echoDouble", "1,5")).toMatch(/is not a number/);
    expect(read("echoString", "héllo")).toEqual(["héllo"]);
    expect(() => read("echoString", Buffer.from([0xff, 0xfe]))).toThrow(/argument 'v' \(string\): is not valid UTF-8/);
    expect(read("echoUuid", "0F8FAD5B-D9CB-469F-A165-70867728950E")).toEqual(["0f8fad5b-d9cb-469f-a165-70867728950e"]);
    expect(readError("echoUuid", "0f8fad5b")).toMatch(/is not a uuid/);
    expect(read("echoBinary", Buffer.from([0, 255, 13, 10]))).toEqual([new Uint8Array([0, 255, 13, 10])]);
    expect(read("echoEnum", "MULTIPLY")).toEqual([3]);
    expect(read("echoEnum", "2")).toEqual([2]);
    expect(readError("echoEnum", "DIVIDE")).toMatch(/is not a value of calculator.Operation \(ADD, SUBTRACT, MULTIPLY\)/);
  });

  it("reads structs, unions and containers from JSON", () => {
    expect(read("echoPoint", '{"x":1,"y":2,"label":"a"}')).toEqual([{ x: 1, y: 2, label: "a" }]);
    expect(read("echoSet", '["a","b","a"]')).toEqual([new Set(["a", "b"])]);
    expect(read("echoMap", '{"a":"9007199254740993","b":2}')).toEqual([new Map([["a", 9007199254740993n], ["b", 2n]])]);
    expect(read("echoMap", '[["a",1]]')).toEqual([new Map([["a", 1n]])]);
    const [shape, points, weights] = read("summarize", '{"polygon":[{"x":0,"y":0}]}', "[]", "{}");
    expect(shape).toEqual({ polygon: [{ x: 0, y: 0 }] });
    expect(points).toEqual([]);
    expect(weights).toEqual(new Map());
  });

  it("names the argument and the place inside it when JSON does not fit", () => {
    expect(readError("echoPoint", '{"x":1}')).toBe("argument 'v' (Point): calculator.Point is missing required field 'y'");
    expect(readError("echoPoint", '{"x":1,"y":2,"z":3}')).toMatch(/calculator.Point has no field 'z' \(fields: x, y, label\)/);
    expect(readError("echoPoints", '[{"x":1,"y":"two"}]')).toBe(`argument 'v' (list<Point>)[0].y: "two" is not an integer`);
    expect(readError("echoPoint", "{x:1}")).toMatch(/^argument 'v' \(Point\): is not valid JSON/);
    expect(readError("echoMap", '{"a":1.5}')).toMatch(/\["a"\]: 1.5 is not an exact integer/);
    expect(readError("summarize", '{"point":{"x":1,"y":1},"polygon":[]}', "[]", "{}")).toMatch(/union calculator.Shape needs exactly one field set, got 2/);
  });

  it("leaves missing arguments undefined (the dispatch refuses them) and ignores extra words", () => {
    expect(read("add", "1")).toEqual([1, undefined]);
    expect(read("add", "1", "2", "3")).toEqual([1, 2]);
    expect(read("greet", "ann")).toEqual(["ann", undefined]);
    expect(read("greet")).toEqual([undefined, undefined]);
  });
});

describe("writeRespArguments (the client's inverse)", () => {
  const roundTrip = (method: MethodDescriptor, args: unknown[]) => readRespArguments(method, writeRespArguments(method, args));

  it("round-trips every kind of argument", () => {
    const summary = {
      id: -5n,
      area: -0,
      closed: true,
      digest: new Uint8Array([1, 2, 3]),
      tags: new Set(["x"]),
      named: new Map([["p", { x: 1, y: 2 }]]),
      ref: "0f8fad5b-d9cb-469f-a165-70867728950e",
      op: 2,
      byPoint: new Map([[{ x: 1, y: 2, label: "l" }, "v"]]),
      count: 9,
    };
    const cases: [string, unknown][] = [
      ["echoI64", -(2n ** 63n)],
      ["echoI64String", "123"],
      ["echoDouble", NaN],
      ["echoDouble", -Infinity],
      ["echoDouble", -0],
      ["echoBool", false],
      ["echoBinary", new Uint8Array([0, 13, 10, 255])],
      ["echoString", "a\r\nb ünicode"],
      ["echoList", [1, 2, 3]],
      ["echoSet", new Set(["a", "b"])],
      ["echoMap", new Map([["k", 2n ** 62n]])],
      ["echoEnum", 3],
      ["echoSummary", summary],
    ];
    for (const [name, value] of cases) {
      expect(roundTrip(calculatorMethod(name), [value])).toEqual([value]);
    }
  });

  it("round-trips any double and any i64", () => {
    fc.assert(fc.property(fc.double(), (d) => Object.is(roundTrip(calculatorMethod("echoDouble"), [d])[0], d)));
    fc.assert(fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (n) => roundTrip(calculatorMethod("echoI64"), [n])[0] === n));
  });

  it("leaves out trailing absent arguments and refuses absent ones in the middle", () => {
    expect(writeRespArguments(calculatorMethod("greet"), ["ann", undefined])).toEqual([Buffer.from("ann")]);
    expect(() => writeRespArguments(calculatorMethod("add"), [undefined, 1])).toThrow(/argument 'a' \(i32\): is absent/);
    expect(() => writeRespArguments(calculatorMethod("add"), ["1", 1])).toThrow(/argument 'a' \(i32\): expected an integer \(i32\), got "1"/);
  });
});

describe("results ↔ replies", () => {
  const reply = (name: string, value: unknown, version: 2 | 3 = 2) => serializeResp(resultToRespReply(calculatorMethod(name), value, version), version).toString("latin1");

  it("maps results to RESP2 types", () => {
    expect(reply("add", 3)).toBe(":3\r\n");
    expect(reply("echoI64", 2n ** 63n - 1n)).toBe(":9223372036854775807\r\n");
    expect(reply("echoBool", true)).toBe(":1\r\n");
    expect(reply("echoDouble", 0.5)).toBe("$3\r\n0.5\r\n");
    expect(reply("echoDouble", -Infinity)).toBe("$4\r\n-inf\r\n");
    expect(reply("echoString", "hé")).toBe("$3\r\nhé\r\n".replace("é", "\xc3\xa9"));
    expect(reply("echoBinary", new Uint8Array([0, 10]))).toBe("$2\r\n\x00\n\r\n");
    expect(reply("reset", undefined)).toBe("+OK\r\n");
    expect(reply("nothing", undefined)).toBe("$-1\r\n");
    expect(reply("echoList", [1, 2])).toBe("*2\r\n:1\r\n:2\r\n");
    expect(reply("echoSet", new Set(["a"]))).toBe("*1\r\n$1\r\na\r\n");
    expect(reply("echoPoints", [{ x: 1, y: 2 }])).toBe('*1\r\n$13\r\n{"x":1,"y":2}\r\n');
    expect(reply("echoMap", new Map([["a", 1n]]))).toBe('$9\r\n{"a":"1"}\r\n');
    expect(reply("echoPoint", { x: 1, y: 2 })).toBe('$13\r\n{"x":1,"y":2}\r\n');
    expect(reply("echoEnum", 2)).toBe(":2\r\n");
  });

  it("maps results to RESP3 types after HELLO 3", () => {
    expect(reply("echoBool", false, 3)).toBe("#f\r\n");
    expect(reply("echoDouble", 1.25, 3)).toBe(",1.25\r\n");
    expect(reply("echoSet", new Set(["a"]), 3)).toBe("~1\r\n$1\r\na\r\n");
    expect(reply("nothing", undefined, 3)).toBe("_\r\n");
    expect(reply("echoPoint", { x: 1, y: 2 }, 3)).toBe("%2\r\n$1\r\nx\r\n:1\r\n$1\r\ny\r\n:2\r\n");
    expect(reply("echoMap", new Map([["a", 5n]]), 3)).toBe("%1\r\n$1\r\na\r\n:5\r\n");
  });

  it("refuses results that do not fit the declared type", () => {
    expect(() => resultToRespReply(calculatorMethod("add"), "3", 2)).toThrow(/result: expected an integer \(i32\), got "3"/);
    expect(() => resultToRespReply(calculatorMethod("echoI8"), 300, 2)).toThrow(/out of range for i8/);
  });

  it("decodes replies back into the declared JavaScript types", () => {
    const decode = (name: string, value: unknown) => respReplyToResult(calculatorMethod(name), resultToRespReply(calculatorMethod(name), value, 2));
    expect(decode("echoI64Number", 42)).toBe(42);
    expect(decode("echoBool", true)).toBe(true);
    expect(decode("echoSet", new Set(["a", "b"]))).toEqual(new Set(["a", "b"]));
    expect(decode("nothing", undefined)).toBeUndefined();
    expect(decode("reset", undefined)).toBeUndefined();
    expect(() => respReplyToResult(calculatorMethod("add"), { type: "bulk", value: Buffer.from("x") })).toThrow(/expected an integer reply, got a bulk reply/);
  });
});
