/**
 * HTTP/1.1 under the server's reply budget: requests that arrive while the
 * server is over budget and this client is not reading its replies are held,
 * all of them and in order, and start once the client reads.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { calculatorStubs, serveCalculator, type CalculatorStubs } from "../grpc/support/calculator.js";
import { rawSocket } from "../grpc/support/raw-peers.js";

let stubs: CalculatorStubs;
const closers: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  stubs = await calculatorStubs("http1-reply-budget");
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});
afterAll(() => stubs?.dispose());

function post(method: string, body: unknown): string {
  const json = JSON.stringify(body);
  return `POST /calculator.Calculator/${method} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(json)}\r\n\r\n${json}`;
}

/** A reply of ~20 MB (i64 results as JSON strings): more than the kernel's socket buffers take. */
const hugeReply = post("calculate", { batch: [{ num1: 0, num2: 0, op: 1, comment: "repeat:1500000" }] });

const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

describe("requests held while the client does not read", () => {
  it("pipelined together, all start, in order, once it reads", async () => {
    const lines: string[] = [];
    const { server, port } = await serveCalculator(stubs.module, { maxServerPendingBytes: 1024, maxFrameBytes: 64 * 1024 * 1024 }, lines);
    closers.push(() => server.close({ graceMs: 1000 }));
    const client = await rawSocket(port);
    closers.push(() => void client.destroy());
    client.pause();
    client.write(hugeReply);
    await settle();
    // Three oneway calls in one write: node:http parses them together, so all three are held at once.
    client.write(["first", "second", "third"].map((line) => post("log", { line })).join(""));
    await settle();
    expect(lines).toEqual([]);
    client.resume();
    await expect.poll(() => lines, { timeout: 5000 }).toEqual(["first|", "second|", "third|"]);
  });
});
