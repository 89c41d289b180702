/**
 * What no THeader client sends: random header areas, header sizes past the
 * frame, endless varints, too many info headers, a protocol or transport
 * switched mid-connection, random bytes anywhere in a good frame, zlib bombs,
 * transforms the server does not know. Each closes
 * (or is answered on) only its own connection; the server never crashes,
 * answers only in THeader, and keeps serving a client connected all along.
 */
import { deflateSync } from "node:zlib";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MessageType } from "../../../runtime/protocols/thrift/thrift-wire-types.js";
import { HEADER_MAGIC, MAX_HEADER_ENTRIES } from "../../../runtime/protocols/thrift/theader-frame.js";
import { useHostileFixture } from "./support/hostile-fixture.js";
import { addMessage, CapturingLogger, exchange, type Variant } from "./support/raw-thrift.js";

const logger = new CapturingLogger();
const server = useHostileFixture(logger);
const stillServing = () => server.stillServing();

/** An `add(a, b)` message in the variant's protocol, unframed. */
const addPayload = (compact: boolean, seqid: number, a = 1, b = 2): Buffer => addMessage({ framed: false, compact }, seqid, a, b);

/** A THeader frame with `header` as its header area (padded to 4-byte words unless `words` says otherwise). */
function headerFrame(header: Buffer, payload: Buffer, options: { seqid?: number; words?: number } = {}): Buffer {
  const padded = Buffer.concat([header, Buffer.alloc((4 - (header.length % 4)) % 4)]);
  const fixed = Buffer.alloc(14);
  fixed.writeInt32BE(10 + padded.length + payload.length, 0);
  fixed.writeUInt16BE(HEADER_MAGIC, 4);
  fixed.writeInt32BE(options.seqid ?? 0, 8);
  fixed.writeUInt16BE(options.words ?? padded.length / 4, 12);
  return Buffer.concat([fixed, padded, payload]);
}

function varint(value: number): number[] {
  const bytes: number[] = [];
  while (value >= 0x80) {
    bytes.push((value & 0x7f) | 0x80);
    value >>>= 7;
  }
  bytes.push(value);
  return bytes;
}

function kv(entries: Array<[string, string]>): number[] {
  const bytes = [1, ...varint(entries.length)];
  for (const [key, value] of entries) {
    for (const text of [key, value]) bytes.push(...varint(Buffer.byteLength(text)), ...Buffer.from(text));
  }
  return bytes;
}

/** A good THeader `add(1, 2)`: protocol id, no transforms, one info header. */
function goodCall(compact: boolean, seqid: number): Buffer {
  return headerFrame(Buffer.from([compact ? 2 : 0, 0, ...kv([["traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"]])]), addPayload(compact, seqid), {
    seqid,
  });
}

const variants: Variant[] = [
  { framed: true, compact: false, header: true },
  { framed: true, compact: true, header: true },
];

describe.each(variants)("%o", (variant) => {
  it("a good call split at every byte is answered once, in THeader, with its sequence id", async () => {
    const call = goodCall(variant.compact, 9);
    const bytes = [...call].map((byte) => Buffer.from([byte]));
    const result = await exchange(server.port, variant, bytes, 1, 2000);
    expect(result.replies).toEqual([{ name: "add", type: MessageType.REPLY, seqid: 9, headerSeqid: 9 }]);
  });

  it("random bytes as the header area: an answer, a close or a wait, never anything else", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 120 }), fc.integer({ min: 0, max: 40 }), async (header, words) => {
        const protocolId = variant.compact ? 2 : 0;
        const bytes = headerFrame(Buffer.from([protocolId, ...header]), addPayload(variant.compact, 7), { seqid: 7, words: words === 0 ? undefined : words });
        const result = await exchange(server.port, variant, bytes, 1, 60);
        for (const reply of result.replies) {
          expect([MessageType.REPLY, MessageType.EXCEPTION]).toContain(reply.type);
          // The header carries the message's sequence id (7, or whatever a shifted header made of the bytes).
          expect(reply.headerSeqid).toBe(reply.seqid);
        }
      }),
      { numRuns: 80 },
    );
    await stillServing();
  });

  it("random bytes written over a good frame: an answer, a close or a wait, never anything else", async () => {
    const call = goodCall(variant.compact, 5);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 4, max: call.length - 1 }), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        async (changes) => {
          const bytes = Buffer.from(call);
          for (const [at, value] of changes) bytes[at] = value;
          const result = await exchange(server.port, variant, bytes, 1, 60).catch((error: Error) => {
            // A change to the magic or protocol id makes a head that is not THeader: the reply may be another variant's.
            if (bytes.readUInt16BE(4) !== HEADER_MAGIC || bytes[14] !== call[14]) return { replies: [], closedByServer: true };
            throw error;
          });
          for (const reply of result.replies) expect([MessageType.REPLY, MessageType.EXCEPTION]).toContain(reply.type);
        },
      ),
      { numRuns: 80 },
    );
    await stillServing();
  });
});

describe("malformed THeader frames close only their connection, with the reason logged", () => {
  const variant: Variant = { framed: true, compact: true, header: true };
  const compact = (header: number[], payload = addPayload(true, 1), options: { words?: number } = {}) =>
    headerFrame(Buffer.from([2, ...header]), payload, options);

  it.each([
    ["a header size past the end of the frame", () => compact([0], addPayload(true, 1), { words: 500 }), "malformed"],
    ["a varint that never ends", () => compact([0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]), "malformed"],
    ["a string running past the header", () => compact([0, 1, 1, 0x7f, 0x61]), "malformed"],
    [
      `over ${MAX_HEADER_ENTRIES} info headers`,
      () => compact([0, ...kv(Array.from({ length: MAX_HEADER_ENTRIES + 1 }, (_, i): [string, string] => [`k${i}`, "v"]))]),
      "too-large",
    ],
    ["an info header count of 2^31-1 with a few bytes", () => compact([0, 1, 0xff, 0xff, 0xff, 0xff, 0x07, 1, 0x61]), "too-large"],
    ["more than 8 transforms", () => compact([9, 1, 1, 1, 1, 1, 1, 1, 1, 1]), "too-large"],
  ])("%s", async (_name, bytesOf, reason) => {
    logger.entries.length = 0;
    const result = await exchange(server.port, variant, Buffer.concat([goodCall(true, 1), bytesOf()]), 2, 2000);
    expect(result.replies).toEqual([{ name: "add", type: MessageType.REPLY, seqid: 1, headerSeqid: 1 }]);
    expect(result.closedByServer).toBe(true);
    expect(logger.closeReasons()).toEqual([reason]);
    await stillServing();
  });

  it("a frame switching protocol, or dropping THeader, mid-connection", async () => {
    for (const second of [goodCall(false, 2), Buffer.concat([Buffer.from([0, 0, 0, 0]), addPayload(true, 2)])]) {
      if (second.readInt32BE(0) === 0) second.writeInt32BE(second.length - 4, 0);
      logger.entries.length = 0;
      const result = await exchange(server.port, variant, Buffer.concat([goodCall(true, 1), second]), 2, 2000);
      expect(result.replies).toEqual([{ name: "add", type: MessageType.REPLY, seqid: 1, headerSeqid: 1 }]);
      expect(result.closedByServer).toBe(true);
      expect(logger.closeReasons()).toEqual(["malformed"]);
    }
    await stillServing();
  });

  it("unknown info block types are skipped, as Apache's libraries do; the call is served", async () => {
    // The frame says sequence id 0, the message 1: the reply's header takes the message's, as Apache's servers do.
    const result = await exchange(server.port, variant, compact([0, 9, 1, 2, 3]), 1, 2000);
    expect(result.replies).toEqual([{ name: "add", type: MessageType.REPLY, seqid: 1, headerSeqid: 1 }]);
  });
});

describe("THeader transforms", () => {
  const variant: Variant = { framed: true, compact: true, header: true };
  const transformed = (transforms: number[], payload: Buffer, seqid = 3) =>
    headerFrame(Buffer.from([2, ...varint(transforms.length), ...transforms.flatMap(varint)]), payload, { seqid });

  it("zlib, once or twice, is inflated; a zlib call and a plain one sent together are answered in order", async () => {
    const once = transformed([1], deflateSync(addPayload(true, 1, 1, 2)), 1);
    const twice = transformed([1, 1], deflateSync(deflateSync(addPayload(true, 2, 3, 4))), 2);
    const result = await exchange(server.port, variant, Buffer.concat([once, twice, goodCall(true, 3)]), 3, 2000);
    expect(result.replies).toEqual([1, 2, 3].map((seqid) => ({ name: "add", type: MessageType.REPLY, seqid, headerSeqid: seqid })));
    expect(result.closedByServer).toBe(false);
  });

  it.each([
    ["snappy (3), which the server does not undo", () => transformed([3], addPayload(true, 3)), 8, "malformed"],
    ["zlib then an unknown transform", () => transformed([1, 99], deflateSync(addPayload(true, 3))), 8, "malformed"],
    ["a zlib bomb (1 MiB of zeros, over the 64 KiB maxFrameBytes)", () => transformed([1], deflateSync(Buffer.alloc(1024 * 1024))), 7, "too-large"],
    ["bytes that are not zlib", () => transformed([1], addPayload(true, 3)), 7, "malformed"],
  ])("%s: answered with a TApplicationException under the frame's sequence id, then closed", async (_name, bytesOf, type, reason) => {
    logger.entries.length = 0;
    const result = await exchange(server.port, variant, Buffer.concat([bytesOf(), goodCall(true, 4)]), 2, 2000);
    expect(result.replies).toEqual([{ name: "", type: MessageType.EXCEPTION, seqid: 3, headerSeqid: 3, exception: { type, message: expect.any(String) } }]);
    expect(result.closedByServer).toBe(true);
    expect(logger.closeReasons()).toEqual([reason]);
    await stillServing();
  });
});
