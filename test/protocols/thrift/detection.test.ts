/**
 * Telling a Thrift connection from its first bytes: every variant is
 * recognised (and which one it is), a partial head asks for more, and the first
 * bytes of the port's other protocols are never taken for Thrift.
 */
import { describe, expect, it } from "vitest";
import { thriftProtocol } from "@rpcgen/runtime";
import { classifyThriftHead } from "../../../runtime/protocols/thrift/thrift-variant.js";
import { BinaryOutput } from "../../../runtime/protocols/thrift/binary-output.js";
import { CompactOutput } from "../../../runtime/protocols/thrift/compact-output.js";
import type { ThriftOutput } from "../../../runtime/protocols/thrift/thrift-output.js";
import { MessageType } from "../../../runtime/protocols/thrift/thrift-wire-types.js";
import { HeaderProtocolId, writeHeaderPrefix } from "../../../runtime/protocols/thrift/theader-frame.js";

/** The first message of a connection as a client of that variant writes it. */
function firstMessage(framed: boolean, out: ThriftOutput, name = "add", type: number = MessageType.CALL): Buffer {
  const frame = framed ? out.reserveInt32() : -1;
  out.messageBegin(name, type, 1);
  out.structBegin();
  out.structEnd();
  if (framed) out.patchInt32(frame, out.length - 4);
  return Buffer.from(out.take());
}

const variants = [
  { framed: true, compact: false, strict: true },
  { framed: true, compact: true, strict: true },
  { framed: false, compact: false, strict: true },
  { framed: false, compact: true, strict: true },
  { framed: true, compact: false, strict: false },
  { framed: false, compact: false, strict: false },
];

describe("classifyThriftHead", () => {
  it.each(variants)("recognises %o from a whole first message, and from every prefix asks for more or says it", (variant) => {
    for (const name of ["add", "Calculator:add", "a_very_long_method_name_that_goes_on_and_on_and_on"]) {
      for (const type of [MessageType.CALL, MessageType.ONEWAY]) {
        const out = variant.compact ? new CompactOutput() : new BinaryOutput(variant.strict);
        const message = firstMessage(variant.framed, out, name, type);
        expect(classifyThriftHead(message)).toEqual(variant);
        for (let length = 0; length < message.length; length++) {
          const answer = classifyThriftHead(message.subarray(0, length));
          if (answer !== "need-more") expect(answer).toEqual(variant);
        }
      }
    }
  });

  it.each([false, true])("recognises THeader (compact %s) from its frame head, and from every prefix asks for more or says it", (compact) => {
    const out = compact ? new CompactOutput() : new BinaryOutput();
    const frame = out.reserveInt32();
    writeHeaderPrefix(out, 0, 1, compact ? HeaderProtocolId.COMPACT : HeaderProtocolId.BINARY);
    out.messageBegin("add", MessageType.CALL, 1);
    out.structBegin();
    out.structEnd();
    out.patchInt32(frame, out.length - 4);
    const head = Buffer.from(out.take());
    const variant = { framed: true, compact, strict: true, header: true };
    expect(classifyThriftHead(head)).toEqual(variant);
    for (let length = 0; length < head.length; length++) {
      const answer = classifyThriftHead(head.subarray(0, length));
      if (answer !== "need-more") expect(answer).toEqual(variant);
    }
    // A protocol id THeader has but rpcgen does not speak (1, JSON), or no header at all.
    const json = Buffer.from(head);
    json[14] = 1;
    expect(classifyThriftHead(json)).toBeUndefined();
    const noHeader = Buffer.from(head);
    noHeader.writeUInt16BE(0, 12);
    expect(classifyThriftHead(noHeader)).toBeUndefined();
  });

  it("a message that is not a call (a reply, an exception) does not start a connection", () => {
    for (const framed of [true, false]) {
      for (const out of [new BinaryOutput(), new CompactOutput(), new BinaryOutput(false)]) {
        expect(classifyThriftHead(firstMessage(framed, out, "add", MessageType.REPLY))).toBeUndefined();
      }
    }
  });

  it.each([
    ["rpcgen frame", Buffer.from([0xb5, 0x01, 0, 0, 0, 15, 1, 2, 0])],
    ["RESP array", Buffer.from("*3\r\n$4\r\nCALL\r\n")],
    ["RESP inline", Buffer.from("PING\r\n")],
    ["HTTP/1.1", Buffer.from("POST /calculator.Calculator/add HTTP/1.1\r\n")],
    ["HTTP/2 preface", Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")],
    ["TLS client hello", Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01])],
    ["binary version 2", Buffer.from([0x80, 0x02, 0x00, 0x01])],
    ["compact version 2", Buffer.from([0x82, 0x22])],
    ["zero bytes", Buffer.alloc(12)],
    ["a name of control characters", Buffer.from([0, 0, 0, 3, 1, 2, 3, 1, 0, 0, 0, 1])],
  ])("%s is not Thrift", (_name, head) => {
    expect(classifyThriftHead(head)).toBeUndefined();
    expect(thriftProtocol.detect(head)).toBe("no");
  });

  it("the protocol says yes, no or need-more as the classification does", () => {
    const message = firstMessage(true, new CompactOutput());
    expect(thriftProtocol.detect(message)).toBe("yes");
    expect(thriftProtocol.detect(message.subarray(0, 3))).toBe("need-more");
    expect(thriftProtocol.detect(Buffer.alloc(0))).toBe("need-more");
  });
});
