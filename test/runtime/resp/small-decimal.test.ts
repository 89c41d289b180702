import { describe, expect, it } from "vitest";
import { readSmallDecimal } from "@rpcgen/runtime/internal/resp/small-decimal.js";
import { RespRequestParser } from "@rpcgen/runtime/internal/resp/resp-request-parser.js";

const read = (text: string): number | undefined => {
  const bytes = Buffer.from(`xx${text}yy`, "latin1");
  return readSmallDecimal(bytes, 2, 2 + text.length);
};

describe("readSmallDecimal (integer arguments read from their bytes)", () => {
  it("reads what Number() reads for [+-]?digits, -0 included", () => {
    for (const text of ["0", "3", "-1", "+5", "007", "-0", "2147483647", "-2147483648", "123456789012345", "-999999999999999"]) {
      expect(Object.is(read(text), Number(text)), text).toBe(true);
    }
  });

  it("leaves everything else to the text path", () => {
    for (const text of ["", "-", "+", "1a", " 1", "1 ", "1.0", "1e3", "0x10", "--1", "1234567890123456", "٣"]) {
      expect(read(text), text).toBeUndefined();
    }
  });
});

describe("RespRequestParser.nextCommand", () => {
  it("hands out the words where they lie, and next() as Buffers that stay", () => {
    const parser = new RespRequestParser();
    parser.push(Buffer.from("*4\r\n$4\r\nCALL\r\n$14\r\nCalculator.add\r\n$1\r\n1\r\n$2\r\n-2\r\n*1\r\n$4\r\nPING\r\n"));
    const command = parser.nextCommand()!;
    expect(command.count).toBe(4);
    expect(command.text(1)).toBe("Calculator.add");
    expect(command.wordEquals(1, Buffer.from("Calculator.add"))).toBe(true);
    expect(command.wordEquals(1, Buffer.from("Calculator.adx"))).toBe(false);
    expect(command.smallDecimal(3)).toBe(-2);
    expect(command.byteLength).toBe(4 + 14 + 1 + 2);
    expect(parser.next()!.map((word) => word.toString())).toEqual(["PING"]);
    expect(parser.nextCommand()).toBeUndefined();
  });
});
