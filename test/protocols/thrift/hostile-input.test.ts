/**
 * What no Thrift client sends: random bytes after a valid header, declared
 * sizes far past the limit, frames of impossible lengths, nesting past the
 * recursion limit. Each closes (or is answered on) only its own connection;
 * the server never crashes, never writes anything but Thrift, and keeps
 * serving a client that was connected all along.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MessageType, TType } from "../../../runtime/protocols/thrift/thrift-wire-types.js";
import { eventually } from "./support/calculator-server.js";
import { useHostileFixture } from "./support/hostile-fixture.js";
import { addMessage, allVariants, CapturingLogger, exchange, message, type Variant } from "./support/raw-thrift.js";

const logger = new CapturingLogger();
const server = useHostileFixture(logger);
const stillServing = () => server.stillServing();

describe.each(allVariants)("%o", (variant) => {
  it("random bytes after a valid call header: an answer, a close or a wait, never anything else", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("add", "calculate", "Calculator:divide", "nosuch"),
        fc.uint8Array({ maxLength: 200 }),
        async (name, body) => {
          const bytes = message(variant, (out) => {
            out.messageBegin(name, MessageType.CALL, 7);
            out.raw(body);
          });
          const result = await exchange(server.port, variant, bytes, 1, 60);
          for (const reply of result.replies) {
            // A reply or an exception to the one call that was sent.
            expect([MessageType.REPLY, MessageType.EXCEPTION]).toContain(reply.type);
            expect(reply.seqid).toBe(7);
          }
        },
      ),
      { numRuns: 60 },
    );
    await stillServing();
  });

  it("a string declaring 2^31-1 bytes closes the connection at once, before the bytes arrive", async () => {
    logger.entries.length = 0;
    const bytes = message(variant, (out) => {
      out.messageBegin("add", MessageType.CALL, 1);
      out.structBegin();
      out.fieldBegin(TType.STRING, 1);
      if (variant.compact) (out as any).varint32(0x7fffffff);
      else out.int32BE(0x7fffffff);
      out.raw(Buffer.from("only a few bytes"));
    });
    const result = await exchange(server.port, variant, bytes, 1, 2000);
    if (variant.framed) {
      // The frame holds all there is: the declared size cannot fit it, so the call is answered as malformed.
      expect(result.replies).toEqual([
        expect.objectContaining({ type: MessageType.EXCEPTION, exception: expect.objectContaining({ type: 7 }) }),
      ]);
    } else {
      expect(result.closedByServer).toBe(true);
      expect(logger.closeReasons()).toContain("too-large");
    }
    await stillServing();
  });

  it("a list declaring 2^31-1 elements is refused the same way", async () => {
    logger.entries.length = 0;
    const bytes = message(variant, (out) => {
      out.messageBegin("calculate", MessageType.CALL, 2);
      out.structBegin();
      out.fieldBegin(TType.LIST, 1);
      out.listBegin(TType.STRUCT, 0x7fffffff);
    });
    const result = await exchange(server.port, variant, bytes, 1, 2000);
    if (variant.framed) expect(result.replies[0]?.exception?.type).toBe(7);
    else {
      expect(result.closedByServer).toBe(true);
      expect(logger.closeReasons()).toContain("too-large");
    }
    await stillServing();
  });

  it("structs nested past 64 levels are refused", async () => {
    logger.entries.length = 0;
    // Written byte by byte (rpcgen's own output refuses to nest this deep): unknown field 9 of the
    // arguments holds a struct whose field 9 holds a struct ... 80 deep, every struct closed properly.
    const fieldHeader = variant.compact ? [(9 << 4) | 12] : [TType.STRUCT, 0, 9];
    const bytes = message(variant, (out) => {
      out.messageBegin("calculate", MessageType.CALL, 3);
      for (let i = 0; i < 80; i++) out.raw(Buffer.from(fieldHeader));
      out.raw(Buffer.alloc(81));
    });
    const result = await exchange(server.port, variant, bytes, 1, 2000);
    if (variant.framed) {
      expect(result.replies[0]?.exception).toEqual({ type: 7, message: expect.stringMatching(/nested deeper than 64/) });
    } else {
      expect(result.closedByServer).toBe(true);
      expect(logger.closeReasons()).toContain("too-deep");
    }
    await stillServing();
  });

  it("a message over maxFrameBytes closes the connection with the reason logged", async () => {
    logger.entries.length = 0;
    const bytes = message(variant, (out) => {
      out.messageBegin("calculate", MessageType.CALL, 4);
      out.structBegin();
      out.fieldBegin(TType.LIST, 1);
      out.listBegin(TType.STRUCT, 30_000);
      for (let i = 0; i < 30_000; i++) {
        out.structBegin();
        out.fieldBegin(TType.I32, 1);
        out.i32(i);
        out.structEnd();
      }
    });
    expect(bytes.length).toBeGreaterThan(64 * 1024);
    const result = await exchange(server.port, variant, bytes, 1, 2000);
    expect(result.replies).toEqual([]);
    expect(result.closedByServer).toBe(true);
    expect(logger.closeReasons()).toContain("too-large");
    await stillServing();
  });
});

/** A valid `add(a, b)` call. */
const addCall = (variant: Variant, seqid: number, a: number, b: number): Buffer => addMessage(variant, seqid, a, b);

describe("framing", () => {
  // A connection's first frame must be under 16 MiB to be told from other protocols (its length's
  // first byte is 0), so the bad lengths come after a good call.
  it.each([
    ["a frame of 2^31-1 bytes", 0x7fffffff, "too-large"],
    ["a frame of 1 MiB (over the 64 KiB limit)", 1024 * 1024, "too-large"],
    ["a frame of -5 bytes", -5, "malformed"],
    ["a frame of 0 bytes", 0, "malformed"],
  ])("%s closes the connection at once", async (_name, length, reason) => {
    logger.entries.length = 0;
    const variant = { framed: true, compact: false };
    const bad = addCall(variant, 2, 1, 1);
    bad.writeInt32BE(length, 0);
    const result = await exchange(server.port, variant, Buffer.concat([addCall(variant, 1, 1, 2), bad]), 2, 2000);
    expect(result.replies).toEqual([{ name: "add", type: MessageType.REPLY, seqid: 1 }]);
    expect(result.closedByServer).toBe(true);
    expect(logger.closeReasons()).toEqual([reason]);
    await stillServing();
  });

  it("a frame with bytes after the arguments is answered as malformed; the connection goes on", async () => {
    const variant = { framed: true, compact: true };
    const bad = message(variant, (out) => {
      out.messageBegin("add", MessageType.CALL, 1);
      out.structBegin();
      out.structEnd();
      out.raw(Buffer.from([1, 2, 3]));
    });
    const result = await exchange(server.port, variant, Buffer.concat([bad, addCall(variant, 2, 20, 22)]), 2, 2000);
    expect(result.replies).toEqual([
      {
        name: "add",
        type: MessageType.EXCEPTION,
        seqid: 1,
        exception: { type: 7, message: "INVALID_ARGUMENT Calculator.add: 3 bytes follow the arguments" },
      },
      { name: "add", type: MessageType.REPLY, seqid: 2 },
    ]);
  });

  it("a reply or exception sent by a client is refused with INVALID_MESSAGE_TYPE and the connection closed", async () => {
    logger.entries.length = 0;
    const variant = { framed: false, compact: false };
    const reply = message(variant, (out) => {
      out.messageBegin("add", MessageType.REPLY, 2);
      out.structBegin();
      out.structEnd();
    });
    const result = await exchange(
      server.port,
      variant,
      Buffer.concat([addCall(variant, 1, 1, 2), reply, addCall(variant, 3, 1, 2)]),
      3,
      2000,
    );
    // Replies go out as calls finish: the refusal is written at once, the call's reply a moment later.
    const bySeqid = [...result.replies].sort((a, b) => a.seqid - b.seqid);
    expect(bySeqid.map((r) => [r.seqid, r.type, r.exception?.type])).toEqual([
      [1, MessageType.REPLY, undefined],
      [2, MessageType.EXCEPTION, 2],
    ]);
    expect(result.closedByServer).toBe(true);
    await eventually(() => logger.closeReasons().includes("malformed"));
  });
});
