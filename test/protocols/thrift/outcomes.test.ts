/**
 * What a Thrift caller is told, by the dispatch's one outcome policy: an
 * undeclared handler error is INTERNAL_ERROR without its details, a
 * client-facing RpcError keeps its code and message, and oneway calls (sent as
 * ONEWAY, or as CALL by pre-0.9.3 clients) are run and never answered.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Code, RpcError, Server, ThriftApplicationError, ThriftChannel } from "@rpcgen/runtime";
import { CalculatorClient, registerCalculator } from "../../../examples/calculator/gen/calculator.js";
import { MessageType, TType } from "../../../runtime/protocols/thrift/thrift-wire-types.js";
import { eventually, QuietCalculatorHandler } from "./support/calculator-server.js";
import { addMessage, CapturingLogger, exchange, message } from "./support/raw-thrift.js";

const logger = new CapturingLogger();
const handler = new QuietCalculatorHandler();
let server: Server;
let port: number;

beforeAll(async () => {
  // subtract fails as a handler bug would; multiply with a client-facing code.
  handler.subtract = () => {
    throw new Error("connection to postgres://admin:hunter2@db failed");
  };
  handler.multiply = () => {
    throw new RpcError(Code.NOT_FOUND, "no such factor");
  };
  server = new Server({ logger });
  registerCalculator(server, handler);
  port = (await server.listen({ host: "127.0.0.1", port: 0 })).port;
});

afterAll(() => server?.close({ graceMs: 500 }));

describe("outcomes over Thrift", () => {
  it("an undeclared handler error is INTERNAL_ERROR `INTERNAL internal error`; the details stay in the server's log", async () => {
    const variant = { framed: true, compact: false };
    const call = message(variant, (out) => {
      out.messageBegin("subtract", MessageType.CALL, 9);
      out.structBegin();
      out.fieldBegin(TType.I32, 1);
      out.i32(1);
      out.fieldBegin(TType.I32, 2);
      out.i32(2);
      out.structEnd();
    });
    const result = await exchange(port, variant, call, 1, 2000);
    expect(result.replies).toEqual([
      { name: "subtract", type: MessageType.EXCEPTION, seqid: 9, exception: { type: 6, message: "INTERNAL internal error" } },
    ]);
    expect(logger.entries.some((entry) => entry.level === "error" && String(entry.fields["err"]).includes("hunter2"))).toBe(true);
  });

  it("a ThriftChannel gets the code back: INTERNAL for the bug, NOT_FOUND with its message for the RpcError", async () => {
    const channel = new ThriftChannel({ address: `127.0.0.1:${port}`, protocol: "compact", transport: "buffered" });
    try {
      const client = new CalculatorClient(channel);
      const bug = await client.subtract(1, 2).catch((e: unknown) => e);
      expect(bug).toBeInstanceOf(ThriftApplicationError);
      expect(bug).toMatchObject({ code: "INTERNAL", message: "internal error", thriftType: 6 });
      const notFound = await client.multiply(1n, 2n).catch((e: unknown) => e);
      expect(notFound).toMatchObject({ code: "NOT_FOUND", message: "no such factor", thriftType: 0 });
    } finally {
      await channel.close();
    }
  });

  it("a ONEWAY message runs its method and gets no reply; so does a CALL to a oneway method", async () => {
    const variant = { framed: false, compact: true };
    const log = (type: number, seqid: number, line: string) =>
      message(variant, (out) => {
        out.messageBegin("log", type, seqid);
        out.structBegin();
        out.fieldBegin(TType.STRING, 1);
        out.string(line);
        out.structEnd();
      });
    const addsBefore = handler.adds;
    const bytes = Buffer.concat([
      log(MessageType.ONEWAY, 1, "oneway as oneway"),
      log(MessageType.CALL, 2, "oneway as call"),
      addMessage(variant, 3, 1, 2, MessageType.ONEWAY),
      // A CALL last: its reply tells the test the messages before it were read.
      addMessage(variant, 4, 2, 2),
    ]);
    const result = await exchange(port, variant, bytes, 1, 2000);
    // Only the last call is answered.
    expect(result.replies).toEqual([{ name: "add", type: MessageType.REPLY, seqid: 4 }]);
    await eventually(() => handler.logLines.includes("oneway as oneway") && handler.logLines.includes("oneway as call"));
    expect(handler.adds - addsBefore).toBe(2);
  });
});
