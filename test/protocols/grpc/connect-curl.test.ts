/**
 * curl as an independent client of the Connect side: unary calls as plain
 * HTTP POSTs with JSON or protobuf bodies, over HTTP/1.1 and HTTP/2 (prior
 * knowledge), on the same port as every other protocol.
 */
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import protobuf from "protobufjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { calculatorStubs, serveCalculator, type CalculatorStubs } from "./support/calculator.js";

const run = promisify(execFile);

let stubs: CalculatorStubs;
let running: Awaited<ReturnType<typeof serveCalculator>>;
let root: protobuf.Root;
const logged: string[] = [];

beforeAll(async () => {
  stubs = await calculatorStubs("connect-curl");
  running = await serveCalculator(stubs.module, {}, logged);
  root = protobuf.loadSync(stubs.protoPath);
});

afterAll(async () => {
  await running?.server.close({ graceMs: 1000 });
  stubs?.dispose();
});

interface CurlReply {
  status: number;
  httpVersion: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** POSTs to the calculator with curl and returns what came back (curl's `-i` output, split). */
async function curl(method: string, args: string[], options: { http2?: boolean } = {}): Promise<CurlReply> {
  const url = `http://127.0.0.1:${running.port}/calculator.Calculator/${method}`;
  const flags = ["-s", "-i", "--max-time", "10", ...(options.http2 ? ["--http2-prior-knowledge"] : []), "-X", "POST", ...args, url];
  const { stdout } = await run("curl", flags, { encoding: "buffer", timeout: 15_000 });
  const split = stdout.indexOf("\r\n\r\n");
  const head = stdout.subarray(0, split).toString("latin1").split("\r\n");
  const [version, status] = head[0]!.split(" ");
  const headers = Object.fromEntries(head.slice(1).map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]));
  return { status: Number(status), httpVersion: version!, headers, body: stdout.subarray(split + 4) };
}

const json = (...more: string[]) => ["-H", "Content-Type: application/json", ...more];

describe("curl over HTTP/1.1, Connect's JSON", () => {
  it("POST /calculator.Calculator/add returns 200 and JSON holding 3", async () => {
    const reply = await curl("add", json("-d", '{"a":1,"b":2}'));
    expect(reply.status).toBe(200);
    expect(reply.httpVersion).toBe("HTTP/1.1");
    expect(reply.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(reply.body.toString())).toEqual({ success: 3 });
  });

  it("i64 values are strings in proto3 JSON, read exactly", async () => {
    const reply = await curl("multiply", json("-d", '{"a":"3037000499","b":"-3037000499"}'));
    expect(reply.body.toString()).toBe('{"success":"-9223372030926249001"}');
  });

  it("structs and containers use their wrapper messages; plain arrays are accepted too", async () => {
    const wrapped = await curl("calculate", json("-d", '{"batch":{"items":[{"num1":1,"num2":2,"op":1,"comment":"c"}]}}'));
    expect(JSON.parse(wrapped.body.toString()).success).toEqual({
      results: { items: ["3"] },
      countsByOperation: { entries: [{ key: "1", value: 1 }] },
      comments: { items: ["c"] },
      mean: 3,
    });
    const plain = await curl("calculate", json("-d", '{"batch":[{"num1":1,"num2":2,"op":1}]}'));
    expect(JSON.parse(plain.body.toString()).success.results).toEqual({ items: ["3"] });
  });

  it("a declared exception is Connect's error form: unknown, HTTP 500, the exception in details", async () => {
    const reply = await curl("divide", json("-d", '{"dividend":1,"divisor":0}'));
    expect(reply.status).toBe(500);
    expect(reply.headers["content-type"]).toBe("application/json");
    const error = JSON.parse(reply.body.toString());
    expect(error.code).toBe("unknown");
    expect(error.message).toBe("DivideByZero: cannot divide 1 by zero");
    expect(error.details).toHaveLength(1);
    expect(error.details[0].type).toBe("calculator.DivideByZero");
    expect(error.details[0].debug).toEqual({ message: "cannot divide 1 by zero", dividend: 1 });
    const decoded = root.lookupType("calculator.DivideByZero").decode(Buffer.from(error.details[0].value, "base64")) as any;
    expect(decoded.dividend).toBe(1);
  });

  it("a missing argument is invalid_argument with HTTP 400", async () => {
    const reply = await curl("add", json("-d", '{"a":1}'));
    expect(reply.status).toBe(400);
    expect(JSON.parse(reply.body.toString())).toEqual({ code: "invalid_argument", message: "Calculator.add: argument 'b' is missing" });
  });

  it("bad JSON is invalid_argument, an unknown method unimplemented (404), another content type 415", async () => {
    expect((await curl("add", json("-d", "{not json"))).status).toBe(400);
    const unknown = await curl("nope", json("-d", "{}"));
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body.toString()).code).toBe("unimplemented");
    const form = await curl("add", ["-d", "a=1"]);
    expect(form.status).toBe(415);
  });

  it("Connect-Timeout-Ms is the deadline: a slow call ends deadline_exceeded (504)", async () => {
    const started = Date.now();
    const reply = await curl("divide", json("-H", "Connect-Timeout-Ms: 100", "-d", '{"dividend":5000,"divisor":-1}'));
    expect(reply.status).toBe(504);
    expect(JSON.parse(reply.body.toString()).code).toBe("deadline_exceeded");
    expect(Date.now() - started).toBeLessThan(3000);
    expect(logged).toContain("slow 5000 deadline set");
    await expect.poll(() => logged).toContain("slow 5000 aborted: Calculator.divide passed its deadline");
  });

  it("headers are metadata; a oneway call answers {} at once", async () => {
    const reply = await curl("log", json("-H", "X-Trace: curl-7", "-d", '{"line":"from curl"}'));
    expect(reply.status).toBe(200);
    expect(reply.body.toString()).toBe("{}");
    await expect.poll(() => logged).toContain("from curl|curl-7");
  });

  it("a gzip-encoded body is inflated", async () => {
    const file = path.join(stubs.dir, "add.json.gz");
    writeFileSync(file, gzipSync('{"a":20,"b":22}'));
    const reply = await curl("add", json("-H", "Content-Encoding: gzip", "--data-binary", `@${file}`));
    expect(JSON.parse(reply.body.toString())).toEqual({ success: 42 });
  });
});

describe("curl with application/proto", () => {
  it("the body is the args message, the reply the response message", async () => {
    const file = path.join(stubs.dir, "add.bin");
    const Args = root.lookupType("calculator.Calculator_add_args");
    writeFileSync(file, Args.encode({ a: 40, b: 2 }).finish());
    const reply = await curl("add", ["-H", "Content-Type: application/proto", "--data-binary", `@${file}`]);
    expect(reply.status).toBe(200);
    expect(reply.headers["content-type"]).toBe("application/proto");
    expect((root.lookupType("calculator.Calculator_add_response").decode(reply.body) as any).success).toBe(42);
  });
});

describe("curl over HTTP/2 with prior knowledge", () => {
  it("the same call on the same port", async () => {
    const reply = await curl("add", json("-d", '{"a":1,"b":2}'), { http2: true });
    expect(reply.httpVersion).toBe("HTTP/2");
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body.toString())).toEqual({ success: 3 });
  });

  it("errors in Connect's form", async () => {
    const reply = await curl("divide", json("-d", '{"dividend":4,"divisor":0}'), { http2: true });
    expect(reply.status).toBe(500);
    expect(JSON.parse(reply.body.toString()).details[0].debug.dividend).toBe(4);
  });
});
