/**
 * gRPC-Web on the wire, over HTTP/1.1 with fetch: the response body is the
 * message frame and then the trailer frame (flag 0x80, `name: value\r\n`
 * lines); errors are a trailer frame alone; random request bodies fail only
 * their own call. (connect-es's gRPC-Web transport is the independent judge,
 * in test/protocols/connect/connect-es-client.test.ts.)
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { calculatorStubs, serveCalculator, type CalculatorStubs } from "./support/calculator.js";

let stubs: CalculatorStubs;
let running: Awaited<ReturnType<typeof serveCalculator>>;

beforeAll(async () => {
  stubs = await calculatorStubs("grpc-web");
  running = await serveCalculator(stubs.module);
});

afterAll(async () => {
  await running?.server.close({ graceMs: 1000 });
  stubs?.dispose();
});

function framed(message: number[]): Buffer {
  return Buffer.from([0, 0, 0, 0, message.length, ...message]);
}

/** POSTs a gRPC-Web request; returns the HTTP status, content type, and the body split into message bytes and trailers. */
async function grpcWeb(method: string, body: Buffer, headers: Record<string, string> = {}) {
  const response = await fetch(`http://127.0.0.1:${running.port}/calculator.Calculator/${method}`, {
    method: "POST",
    headers: { "content-type": "application/grpc-web+proto", "x-grpc-web": "1", ...headers },
    body,
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  const messages: Buffer[] = [];
  let trailers: Record<string, string> | undefined;
  for (let offset = 0; offset < bytes.length; ) {
    const length = bytes.readUInt32BE(offset + 1);
    const payload = bytes.subarray(offset + 5, offset + 5 + length);
    if (bytes[offset] === 0x80) {
      trailers = Object.fromEntries(payload.toString("latin1").split("\r\n").filter(Boolean).map((line) => [line.slice(0, line.indexOf(":")), line.slice(line.indexOf(":") + 1).trim()]));
    } else {
      messages.push(payload);
    }
    offset += 5 + length;
  }
  return { status: response.status, contentType: response.headers.get("content-type"), messages, trailers };
}

describe("gRPC-Web over HTTP/1.1", () => {
  it("answers the message, then the trailers in a frame of their own", async () => {
    const reply = await grpcWeb("add", framed([0x08, 0x02, 0x10, 0x03]));
    expect(reply.status).toBe(200);
    expect(reply.contentType).toBe("application/grpc-web+proto");
    // `success` (field 100000, varint) = 5.
    expect(reply.messages.map((m) => [...m])).toEqual([[0x80, 0xea, 0x30, 0x05]]);
    expect(reply.trailers).toEqual({ "grpc-status": "0" });
  });

  it("a declared exception is a trailer frame: status 2, the message, the details", async () => {
    const reply = await grpcWeb("divide", framed([0x08, 0x01, 0x10, 0x00]));
    expect(reply.messages).toEqual([]);
    expect(reply.trailers?.["grpc-status"]).toBe("2");
    expect(reply.trailers?.["grpc-message"]).toBe("DivideByZero: cannot divide 1 by zero");
    expect(Buffer.from(reply.trailers!["grpc-status-details-bin"]!, "base64").toString("latin1")).toContain("type.googleapis.com/calculator.DivideByZero");
  });

  it("the text form carries the same frames in base64, a request possibly in several padded chunks", async () => {
    const whole = framed([0x08, 0x02, 0x10, 0x03]).toString("base64");
    // The prefix and the message encoded apart: "AAAAAAQ=CAIQAw==".
    const twoChunks = Buffer.from([0, 0, 0, 0, 4]).toString("base64") + Buffer.from([0x08, 0x02, 0x10, 0x03]).toString("base64");
    expect(twoChunks).toMatch(/^[^=]+=[^=]+==$/);
    for (const body of [whole, twoChunks]) {
      const response = await fetch(`http://127.0.0.1:${running.port}/calculator.Calculator/add`, {
        method: "POST",
        headers: { "content-type": "application/grpc-web-text", accept: "application/grpc-web-text" },
        body,
      });
      expect(response.headers.get("content-type")).toBe("application/grpc-web-text+proto");
      const bytes = Buffer.from(await response.text(), "base64");
      expect([...bytes]).toEqual([0, 0, 0, 0, 4, 0x80, 0xea, 0x30, 0x05, 0x80, 0, 0, 0, 16, ...Buffer.from("grpc-status: 0\r\n")]);
    }
  });

  it("an unknown method and the JSON form are UNIMPLEMENTED; no message or two are INTERNAL", async () => {
    expect((await grpcWeb("nope", framed([]))).trailers?.["grpc-status"]).toBe("12");
    expect((await grpcWeb("add", framed([]), { "content-type": "application/grpc-web+json" })).trailers?.["grpc-status"]).toBe("12");
    expect((await grpcWeb("add", Buffer.alloc(0))).trailers?.["grpc-status"]).toBe("13");
    expect((await grpcWeb("add", Buffer.concat([framed([0x08, 0x01]), framed([0x08, 0x01])]))).trailers?.["grpc-status"]).toBe("13");
  });

  it("random request bodies fail or serve their own call only", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("add", "divide", "calculate", "log"), fc.uint8Array({ maxLength: 120 }), fc.boolean(), async (method, bytes, prefixed) => {
        const reply = await grpcWeb(method, prefixed ? framed([...bytes]) : Buffer.from(bytes));
        expect(reply.status).toBe(200);
        expect(["0", "2", "3", "8", "13"]).toContain(reply.trailers?.["grpc-status"]);
      }),
      { numRuns: 150 },
    );
    expect((await grpcWeb("add", framed([0x08, 0x02, 0x10, 0x02]))).messages.map((m) => [...m])).toEqual([[0x80, 0xea, 0x30, 0x04]]);
  }, 60_000);
});
