import v8 from "node:v8";
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import { RespRequestParser, requestWordCostBytes } from "../../../runtime/resp/resp-request-parser.js";

// A real collection before each reading, so the heap figures are what is still referenced.
v8.setFlagsFromString("--expose-gc");
const collect = vm.runInNewContext("gc") as () => void;

const MiB = 1024 * 1024;
const serverLimits = { inlineCommands: true, maxValueBytes: 4 * MiB, maxBulkBytes: 4 * MiB };

/** Heap and ArrayBuffer bytes still referenced after `build`, with what it returned kept alive. */
function retainedBy<T>(build: () => T): { bytes: number; kept: T } {
  collect();
  collect();
  const before = process.memoryUsage();
  const kept = build();
  collect();
  collect();
  const after = process.memoryUsage();
  return { bytes: after.heapUsed - before.heapUsed + after.arrayBuffers - before.arrayBuffers, kept };
}

/** Pushes `pieces` (fresh copies, as a socket hands out) until the parser refuses the input. */
function feed(parser: RespRequestParser, pieces: Iterable<Buffer>): void {
  try {
    for (const piece of pieces) {
      parser.push(Buffer.from(piece));
      expect(parser.next()).toBeUndefined();
    }
  } catch (error) {
    if ((error as Error).name !== "RespProtocolError") throw error;
  }
}

function* repeated(piece: Buffer, totalBytes: number): Iterable<Buffer> {
  for (let sent = 0; sent < totalBytes; sent += piece.length) yield piece.subarray(0, Math.min(piece.length, totalBytes - sent));
}

describe("RespRequestParser memory", () => {
  it("holds next to nothing for 100 connections' unfinished *1000000 arrays of :1 (4 MB sent each)", () => {
    // The general parser held ~71 MB of heap for each of these: an object and a bigint per element.
    const integers = Buffer.from(":1\r\n".repeat(16 * 1024));
    const { bytes, kept } = retainedBy(() =>
      Array.from({ length: 100 }, () => {
        const parser = new RespRequestParser(serverLimits);
        feed(parser, [Buffer.from("*1000000\r\n"), ...repeated(integers, 999_999 * 4)]);
        return parser;
      }),
    );
    expect(kept).toHaveLength(100);
    expect(bytes).toBeLessThan(16 * MiB);
  });

  it("holds no more than its budget, and what heldBytes says, for the largest array a request may declare", () => {
    // 100 connections each one word short of the largest array of 1-byte words that 1 MiB allows.
    const budget = 1 * MiB;
    const declared = Math.floor(budget / (requestWordCostBytes + 7)) - 1;
    const words = Buffer.from("$1\r\nx\r\n".repeat(9362)); // 64 KiB of words per read
    const { bytes, kept } = retainedBy(() =>
      Array.from({ length: 100 }, () => {
        const parser = new RespRequestParser({ ...serverLimits, maxValueBytes: budget });
        feed(parser, [Buffer.from(`*${declared}\r\n`), ...repeated(words, (declared - 1) * 7)]);
        return parser;
      }),
    );
    const held = kept.reduce((sum, parser) => sum + parser.heldBytes, 0);
    expect(held).toBeGreaterThan(100 * budget * 0.9); // they were fed close to the budget
    expect(held).toBeLessThanOrEqual(100 * budget);
    expect(bytes).toBeLessThanOrEqual(held * 1.1);
  });

  it("allocates nothing for a bulk string's declared length until its bytes arrive", () => {
    const { bytes, kept } = retainedBy(() =>
      Array.from({ length: 100 }, () => {
        const parser = new RespRequestParser(serverLimits);
        feed(parser, [Buffer.from(`*2\r\n$4\r\nCALL\r\n$${4 * MiB - 300}\r\n`)]);
        return parser;
      }),
    );
    expect(kept.every((parser) => parser.heldBytes < 1024)).toBe(true);
    expect(bytes).toBeLessThan(8 * MiB); // 100 × 4 MiB if the declared length were allocated
  });
});
