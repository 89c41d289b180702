import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RespProtocolError } from "@rpcgen/runtime/internal/resp/resp-parser.js";
import { serializeCommand } from "@rpcgen/runtime/internal/resp/resp-serializer.js";
import { RespRequestParser, requestWordCostBytes } from "../../../runtime/resp/resp-request-parser.js";

/** The limits the server gives its parser by default. */
const serverLimits = { inlineCommands: true, maxValueBytes: 4 * 1024 * 1024, maxBulkBytes: 4 * 1024 * 1024 };

function commandsIn(parser: RespRequestParser, input: Buffer): string[][] {
  parser.push(input);
  const commands: string[][] = [];
  for (let words = parser.next(); words !== undefined; words = parser.next()) commands.push(words.map((word) => word.toString("latin1")));
  return commands;
}

function refusal(input: string | Buffer, limits: object = serverLimits): string {
  const parser = new RespRequestParser(limits);
  parser.push(Buffer.from(input));
  try {
    for (let i = 0; i < 1000 && parser.next() !== undefined; i++);
  } catch (error) {
    expect(error).toBeInstanceOf(RespProtocolError);
    return (error as Error).message;
  }
  throw new Error("expected a RespProtocolError");
}

const pipeline = Buffer.concat([
  serializeCommand(["CALL", "Calculator.add", "1", "2"]),
  Buffer.from("*0\r\n*-1\r\n"), // skipped, as Redis does
  serializeCommand(["ECHO", "he\r\nllo", ""]),
  Buffer.from("PING\r\n\r\nCALL Calculator.echoString \"a b\"\r\n"),
  serializeCommand(["SET", "k", "v".repeat(300)]),
]);
const pipelineWords = [["CALL", "Calculator.add", "1", "2"], ["ECHO", "he\r\nllo", ""], ["PING"], ["CALL", "Calculator.echoString", "a b"], ["SET", "k", "v".repeat(300)]];

describe("RespRequestParser", () => {
  it("returns each command's words as Buffers, skipping empty and null arrays", () => {
    const parser = new RespRequestParser(serverLimits);
    expect(commandsIn(parser, pipeline)).toEqual(pipelineWords);
    expect(parser.idle).toBe(true);
    expect(parser.heldBytes).toBe(0);
  });

  it("reads the same words from the stream split at every byte boundary", () => {
    for (let cut = 0; cut <= pipeline.length; cut++) {
      const parser = new RespRequestParser(serverLimits);
      expect([...commandsIn(parser, pipeline.subarray(0, cut)), ...commandsIn(parser, pipeline.subarray(cut))]).toEqual(pipelineWords);
    }
    const bytewise = new RespRequestParser(serverLimits);
    const words: string[][] = [];
    for (let i = 0; i < pipeline.length; i++) words.push(...commandsIn(bytewise, pipeline.subarray(i, i + 1)));
    expect(words).toEqual(pipelineWords);
  });

  it("reads any command, split anywhere (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 9000 }), { minLength: 1, maxLength: 5 }), fc.array(fc.nat(), { maxLength: 6 }), (words, rawCuts) => {
        const bytes = serializeCommand(words.map((word) => Buffer.from(word)));
        const cuts = [...new Set(rawCuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
        const parser = new RespRequestParser(serverLimits);
        const got: Buffer[][] = [];
        let start = 0;
        for (const cut of [...cuts, bytes.length]) {
          parser.push(bytes.subarray(start, cut));
          start = cut;
          for (let command = parser.next(); command !== undefined; command = parser.next()) got.push(command);
        }
        expect(got.map((command) => command.map((word) => new Uint8Array(word)))).toEqual([words.map((word) => new Uint8Array(word))]);
      }),
      { numRuns: 200 },
    );
  });

  it("refuses an unfinished *1000000 at its header with the server's default limits, before any element", () => {
    const parser = new RespRequestParser(serverLimits);
    parser.push(Buffer.from("*1000000\r\n"));
    expect(() => parser.next()).toThrow(
      `request of 1000000 arguments needs about ${10 + 1000000 * requestWordCostBytes} bytes, over the limit of 4194304 bytes per request (at byte 0 of the stream)`,
    );
    expect(() => parser.next()).toThrow(RespProtocolError); // and stays failed
    // The defaults are the server's: the same refusal without any limits given.
    expect(refusal("*1000000\r\n", {})).toMatch(/over the limit of 4194304 bytes per request/);
  });

  it("charges each declared word its object cost plus every byte read, to the byte", () => {
    // `*8\r\n` (4 bytes) + 8 words; each `$1\r\nx\r\n` is 7 bytes: 4 + 8 × (cost + 7) in all.
    const exact = 4 + 8 * (requestWordCostBytes + 7);
    const eightWords = Buffer.from(`*8\r\n${"$1\r\nx\r\n".repeat(8)}`);
    expect(commandsIn(new RespRequestParser({ maxValueBytes: exact }), eightWords)).toHaveLength(1);
    expect(refusal(eightWords, { maxValueBytes: exact - 1 })).toMatch(/value exceeds the limit of \d+ bytes/);
    expect(refusal("*9\r\n", { maxValueBytes: exact })).toMatch(/^request of 9 arguments needs about 1012 bytes/);
    // A bulk is refused at its header when its declared bytes would pass the limit.
    expect(refusal(`*2\r\n$4\r\nCALL\r\n$${exact}\r\n`, { maxValueBytes: exact })).toMatch(/value exceeds the limit of \d+ bytes \(at byte 14 /);
    // An inline command is charged the same way.
    expect(refusal(`${"x ".repeat(9)}\r\n`, { maxValueBytes: 9 * requestWordCostBytes })).toMatch(/^request of 9 arguments/);
  });

  it("parses a legitimate command with many arguments within the budget", () => {
    const args = Array.from({ length: 30_000 }, (_, i) => String(i));
    const [words] = commandsIn(new RespRequestParser(serverLimits), serializeCommand(["CALL", "Stats.sum", ...args]));
    expect(words).toHaveLength(30_002);
    expect(words!.at(-1)).toBe("29999");
  });

  it.each([
    ["an integer", "*2\r\n$4\r\nPING\r\n:1\r\n", "expected '$', got ':' (at byte 14 of the stream)"],
    ["a nested array", "*1\r\n*1\r\n$4\r\nPING\r\n", "expected '$', got '*' (at byte 4 of the stream)"],
    ["a simple string", "*1\r\n+PING\r\n", "expected '$', got '+' (at byte 4 of the stream)"],
    ["a RESP3 bulk error", "*1\r\n!4\r\nPING\r\n", "expected '$', got '!' (at byte 4 of the stream)"],
    ["a null bulk", "*1\r\n$-1\r\n", "invalid bulk length -1 in a request (at byte 4 of the stream)"],
    ["a bad length", "*1\r\n$abc\r\n", "invalid length 'abc' (at byte 4 of the stream)"],
    ["a long bulk", "*1\r\n$5000000\r\n", "bulk length 5000000 exceeds the limit of 4194304 bytes (at byte 4 of the stream)"],
  ])("refuses %s inside a request as soon as its header arrives", (_label, input, message) => {
    expect(refusal(input)).toBe(message);
  });

  it("refuses anything but an array at the top level when inline commands are off", () => {
    expect(refusal(":1\r\n", { inlineCommands: false })).toBe("expected '*', got ':' (at byte 0 of the stream)");
    expect(refusal("PING\r\n", { inlineCommands: false })).toBe("expected '*', got 'P' (at byte 0 of the stream)");
  });

  it("reports what it holds as the bytes arrive, not what a header declares", () => {
    const parser = new RespRequestParser(serverLimits);
    parser.push(Buffer.from("*1000\r\n"));
    expect(parser.next()).toBeUndefined();
    expect(parser.heldBytes).toBe(7);
    parser.push(Buffer.from("$1\r\nx\r\n".repeat(10)));
    expect(parser.next()).toBeUndefined();
    expect(parser.heldBytes).toBe(7 + 10 * (7 + requestWordCostBytes));

    const bulk = new RespRequestParser(serverLimits);
    bulk.push(Buffer.from("*2\r\n$4\r\nCALL\r\n$4000000\r\n"));
    expect(bulk.next()).toBeUndefined();
    const afterHeader = bulk.heldBytes;
    expect(afterHeader).toBeLessThan(100 + requestWordCostBytes * 2);
    bulk.push(Buffer.alloc(50_000, 0x61));
    expect(bulk.next()).toBeUndefined();
    expect(bulk.heldBytes).toBeGreaterThanOrEqual(afterHeader + 50_000);
    expect(bulk.heldBytes).toBeLessThan(afterHeader + 50_000 + 16 * 1024);
    // Input pushed but not parsed yet counts too.
    bulk.push(Buffer.alloc(1000, 0x61));
    expect(bulk.heldBytes).toBeGreaterThanOrEqual(afterHeader + 51_000);
  });

  it("never throws anything but RespProtocolError on garbage, and never hangs (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (garbage, inline) => {
        const parser = new RespRequestParser({ inlineCommands: inline, maxValueBytes: 2000, maxBulkBytes: 1000 });
        parser.push(Buffer.from(garbage));
        try {
          for (let i = 0; i < 1000 && parser.next() !== undefined; i++);
        } catch (error) {
          expect(error).toBeInstanceOf(RespProtocolError);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
