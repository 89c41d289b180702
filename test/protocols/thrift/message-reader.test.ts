/**
 * Cutting a Thrift stream into messages: however the bytes are split into
 * chunks, the reader finds the same messages (framed by their length,
 * unframed by walking their structure), and for any bytes at all the
 * resumable walk ends the same way as a walk over everything at once.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CalculatorService } from "../../../examples/calculator/gen/calculator.js";
import { BinaryOutput } from "../../../runtime/protocols/thrift/binary-output.js";
import { CompactOutput } from "../../../runtime/protocols/thrift/compact-output.js";
import { ThriftMessageReader } from "../../../runtime/protocols/thrift/thrift-message-reader.js";
import { writeCall, writeReply } from "../../../runtime/protocols/thrift/thrift-messages.js";
import { ThriftProtocolError } from "../../../runtime/protocols/thrift/thrift-protocol-error.js";
import { UnframedMessageScanner } from "../../../runtime/protocols/thrift/unframed-message-scanner.js";
import { MessageType } from "../../../runtime/protocols/thrift/thrift-wire-types.js";

const calculate = CalculatorService.methods["calculate"]!;

const work = fc.record(
  {
    num1: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
    num2: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
    op: fc.constantFrom(1, 2, 3, 4),
    comment: fc.string({ maxLength: 40 }),
  },
  { requiredKeys: ["num1", "num2", "op"] },
);
const report = fc.record({
  results: fc.array(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { maxLength: 20 }),
  countsByOperation: fc
    .array(fc.tuple(fc.string({ maxLength: 8 }), fc.integer({ min: -5, max: 5 })), { maxLength: 6 })
    .map((entries) => new Map(entries)),
  comments: fc.array(fc.string({ maxLength: 8 }), { maxLength: 6 }).map((items) => new Set(items)),
  mean: fc.double(),
});
const message = fc.oneof(
  fc.array(work, { maxLength: 20 }).map((batch) => ({ call: batch })),
  report.map((value) => ({ reply: value })),
);

/** The messages written one after another, and where each one's bytes are. */
function encode(
  framed: boolean,
  compact: boolean,
  messages: Array<{ call?: unknown[]; reply?: unknown }>,
): { stream: Buffer; spans: Buffer[] } {
  const out = compact ? new CompactOutput() : new BinaryOutput();
  const spans: Buffer[] = [];
  messages.forEach((entry, seqid) => {
    const frame = framed ? out.reserveInt32() : -1;
    const start = out.length;
    if (entry.call !== undefined) writeCall(out, "calculate", MessageType.CALL, seqid, calculate, [entry.call]);
    else writeReply(out, seqid, calculate, 0, entry.reply);
    if (framed) out.patchInt32(frame, out.length - start);
    // Nothing was taken from the output yet, so its marks are offsets into `buf`.
    spans.push(Buffer.from(out.buf.subarray(start, out.length)));
  });
  return { stream: Buffer.from(out.take()), spans };
}

/** Splits `bytes` at the given cut points. */
function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const point of points) {
    chunks.push(bytes.subarray(from, point));
    from = point;
  }
  chunks.push(bytes.subarray(from));
  return chunks;
}

describe.each([
  [true, false],
  [true, true],
  [false, false],
  [false, true],
])("framed %s, compact %s", (framed, compact) => {
  it("finds the same messages however the stream is split", () => {
    fc.assert(
      fc.property(fc.array(message, { minLength: 1, maxLength: 6 }), fc.array(fc.nat(), { maxLength: 30 }), (messages, cuts) => {
        const { stream, spans } = encode(framed, compact, messages);
        const reader = new ThriftMessageReader(framed, compact, 1 << 20);
        const found: Buffer[] = [];
        for (const chunk of split(stream, cuts)) {
          reader.push(Buffer.from(chunk));
          while (reader.next()) {
            found.push(Buffer.from(reader.buffer.subarray(reader.messageStart, reader.messageEnd)));
            reader.consume();
          }
        }
        expect(found).toEqual(spans);
        expect(reader.bufferedBytes).toBe(0);
      }),
      { numRuns: 150 },
    );
  });
});

describe("the unframed walk", () => {
  it.each([false, true])("ends the same way for any bytes, whole or in chunks (compact %s)", (compact) => {
    const outcome = (chunks: Buffer[]): string => {
      const scanner = new UnframedMessageScanner(compact, 4096);
      let held = Buffer.alloc(0);
      try {
        for (const chunk of chunks) {
          held = Buffer.concat([held, chunk]);
          const length = scanner.scan(held, 0, held.length);
          if (length >= 0) return `message of ${length}`;
        }
        return "needs more";
      } catch (error) {
        expect(error).toBeInstanceOf(ThriftProtocolError);
        return `error ${(error as ThriftProtocolError).reason}`;
      }
    };
    const header = compact
      ? Buffer.from([0x82, 0x21, 0x01, 0x03, 0x61, 0x64, 0x64])
      : Buffer.from([0x80, 0x01, 0x00, 0x01, 0, 0, 0, 3, 0x61, 0x64, 0x64, 0, 0, 0, 1]);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.array(fc.nat(), { maxLength: 20 }), (body, cuts) => {
        const bytes = Buffer.concat([header, body]);
        expect(outcome(split(bytes, cuts))).toBe(outcome([bytes]));
      }),
      { numRuns: 500 },
    );
  });

  it("refuses a declared size the limit cannot hold before its bytes arrive", () => {
    const out = new BinaryOutput();
    out.messageBegin("echo", MessageType.CALL, 1);
    out.structBegin();
    out.fieldBegin(11, 1);
    out.int32BE(0x7fffffff);
    const scanner = new UnframedMessageScanner(false, 1 << 20);
    const bytes = out.take();
    expect(() => scanner.scan(bytes, 0, bytes.length)).toThrow(expect.objectContaining({ reason: "too-large" }));
  });

  it("refuses nesting past 64 levels", () => {
    const out = new CompactOutput();
    out.messageBegin("echo", MessageType.CALL, 1);
    // Raw headers: 70 nested lists of lists.
    for (let i = 0; i < 70; i++) out.byte((1 << 4) | 9);
    const scanner = new UnframedMessageScanner(true, 1 << 20);
    const bytes = out.take();
    expect(() => scanner.scan(bytes, 0, bytes.length)).toThrow(expect.objectContaining({ reason: "too-deep" }));
  });
});

describe("what the reader keeps", () => {
  it.each([true, false])("holds at most about twice what arrived, whatever size is declared (framed %s)", (framed) => {
    const out = new BinaryOutput();
    const frame = framed ? out.reserveInt32() : -1;
    out.messageBegin("bodySize", MessageType.CALL, 1);
    out.structBegin();
    out.fieldBegin(11, 1);
    out.int32BE(4 * 1024 * 1024);
    if (framed) out.patchInt32(frame, out.length - 4 + 4 * 1024 * 1024);
    const reader = new ThriftMessageReader(framed, false, 8 * 1024 * 1024);
    let sent = 0;
    for (const chunk of [Buffer.from(out.take()), ...Array.from({ length: 8 }, () => Buffer.alloc(8192, 0x61))]) {
      reader.push(chunk);
      sent += chunk.length;
      expect(reader.next()).toBe(false);
      expect(reader.buffer.length).toBeLessThanOrEqual(Math.max(4096, 2 * sent));
    }
    expect(reader.bufferedBytes).toBe(sent);
  });

  it("takes a frame's exact size once half of it is in, so a large frame is copied about once", () => {
    const out = new BinaryOutput();
    const frame = out.reserveInt32();
    out.messageBegin("bodySize", MessageType.CALL, 1);
    out.structBegin();
    out.fieldBegin(11, 1);
    out.binary(Buffer.alloc(100_000, 0x62));
    out.structEnd();
    out.patchInt32(frame, out.length - 4);
    const bytes = Buffer.from(out.take());
    const reader = new ThriftMessageReader(true, false, 1 << 20);
    const half = Math.ceil(bytes.length / 2) + 10;
    reader.push(bytes.subarray(0, 100));
    expect(reader.next()).toBe(false);
    reader.push(bytes.subarray(100, half));
    expect(reader.next()).toBe(false);
    expect(reader.buffer.length).toBe(bytes.length);
    reader.push(bytes.subarray(half));
    expect(reader.next()).toBe(true);
    expect(reader.messageEnd - reader.messageStart).toBe(bytes.length - 4);
  });
});
