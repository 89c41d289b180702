/**
 * connect-es as an independent client of rpcgen's Connect and gRPC sides: the
 * generated calculator.proto goes unchanged through Debian's `protoc` and
 * protobuf-es's `protoc-gen-es`, as a connect-es user would build it, and
 * @connectrpc/connect-node calls the calculator on the server's one port over
 * Connect (JSON and binary, HTTP/1.1 and HTTP/2), gRPC (h2c) and gRPC-Web
 * (HTTP/1.1 and HTTP/2).
 */
import { execFile } from "node:child_process";
import { Agent } from "node:http";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { Code, ConnectError, createClient, type CallOptions, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport, Http2SessionManager } from "@connectrpc/connect-node";
import type { DescMessage, DescService } from "@bufbuild/protobuf";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { calculatorStubs, repoRoot, serveCalculator, type CalculatorStubs } from "../grpc/support/calculator.js";

const run = promisify(execFile);

let stubs: CalculatorStubs;
let running: Awaited<ReturnType<typeof serveCalculator>>;
let Calculator: DescService;
let DivideByZeroSchema: DescMessage;
const logged: string[] = [];
/** Connections the clients made, closed at the end so none outlives the test. */
const agents: Agent[] = [];
const sessions: Http2SessionManager[] = [];

beforeAll(async () => {
  stubs = await calculatorStubs("connect-es-client");
  running = await serveCalculator(stubs.module, {}, logged);
  // protoc-gen-es writes ES modules importing @bufbuild/protobuf; inside the repo they resolve from its node_modules.
  const out = path.join(stubs.dir, "gen");
  mkdirSync(out);
  await run("protoc", [`--plugin=protoc-gen-es=${path.join(repoRoot, "node_modules/.bin/protoc-gen-es")}`, `--es_out=${out}`, "--es_opt=target=js", `-I${stubs.dir}`, stubs.protoPath]);
  const generated = await import(path.join(out, "calculator_pb.js"));
  Calculator = generated.Calculator;
  DivideByZeroSchema = generated.DivideByZeroSchema;
});

afterAll(async () => {
  for (const manager of sessions) manager.abort();
  for (const agent of agents) agent.destroy();
  await running?.server.close({ graceMs: 1000 });
  stubs?.dispose();
});

const flavours = ["connect+json/1.1", "connect+proto/1.1", "connect+json/2", "connect+proto/2", "grpc/2", "grpc-web/1.1", "grpc-web/2"] as const;
type Flavour = (typeof flavours)[number];

function transport(flavour: Flavour): Transport {
  const baseUrl = `http://${running.address}`;
  const useBinaryFormat = flavour.startsWith("connect+proto");
  if (flavour.endsWith("/1.1")) {
    const agent = new Agent({ keepAlive: true });
    agents.push(agent);
    if (flavour === "grpc-web/1.1") return createGrpcWebTransport({ baseUrl, httpVersion: "1.1", nodeOptions: { agent } });
    return createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat, nodeOptions: { agent } });
  }
  const sessionManager = new Http2SessionManager(baseUrl);
  sessions.push(sessionManager);
  if (flavour === "grpc/2") return createGrpcTransport({ baseUrl, sessionManager });
  if (flavour === "grpc-web/2") return createGrpcWebTransport({ baseUrl, httpVersion: "2", sessionManager });
  return createConnectTransport({ baseUrl, httpVersion: "2", useBinaryFormat, sessionManager });
}

async function failure(promise: Promise<unknown>): Promise<ConnectError> {
  try {
    const reply = await promise;
    throw new Error(`expected the call to fail, got ${JSON.stringify(reply)}`);
  } catch (error) {
    if (!(error instanceof ConnectError)) throw error;
    return error;
  }
}

describe.each<Flavour>(flavours)("connect-es over %s", (flavour) => {
  // The generated service is only known at run time, so the client is typed loosely.
  let client: Record<string, (request: object, options?: CallOptions) => Promise<any>>;

  beforeAll(() => {
    client = createClient(Calculator, transport(flavour)) as unknown as typeof client;
  });

  it("adds", async () => {
    const reply = await client.add({ a: 1, b: 2 });
    expect(reply.success).toBe(3);
  });

  it("carries i64 exactly and takes structs and containers", async () => {
    expect((await client.multiply({ a: 3037000499n, b: -3037000499n })).success).toBe(-9223372030926249001n);
    const reply = await client.calculate({ batch: { items: [{ num1: 2, num2: 3, op: 1, comment: "sum" }, { num1: 2, num2: 3, op: 3 }] } });
    expect(reply.success.results.items).toEqual([5n, 6n]);
    expect(reply.success.comments.items).toEqual(["sum"]);
    expect(reply.success.mean).toBe(5.5);
  });

  it("a declared exception is Code.Unknown with the exception in the error's details", async () => {
    const error = await failure(client.divide({ dividend: 1, divisor: 0 }));
    expect(error.code).toBe(Code.Unknown);
    expect(error.rawMessage).toBe("DivideByZero: cannot divide 1 by zero");
    const [exception] = error.findDetails(DivideByZeroSchema) as unknown as Array<{ message: string; dividend: number }>;
    expect({ message: exception?.message, dividend: exception?.dividend }).toEqual({ message: "cannot divide 1 by zero", dividend: 1 });
  });

  it("timeoutMs reaches the handler as its deadline: a slow call ends DeadlineExceeded", async () => {
    const started = Date.now();
    const error = await failure(client.divide({ dividend: 4000 + flavourIndex(flavour), divisor: -1 }, { timeoutMs: 150 }));
    expect(error.code).toBe(Code.DeadlineExceeded);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(logged).toContain(`slow ${4000 + flavourIndex(flavour)} deadline set`);
    expect((await client.add({ a: 2, b: 2 })).success).toBe(4);
  });

  it("a header reaches the handler's context as metadata", async () => {
    await client.log({ line: `hello ${flavour}` }, { headers: { "x-trace": "abc-123" } });
    await expect.poll(() => logged).toContain(`hello ${flavour}|abc-123`);
  });

  it("an argument of the wrong type is InvalidArgument from the one dispatch", async () => {
    const error = await failure(client.add({ a: 1 }));
    expect(error.code).toBe(Code.InvalidArgument);
    expect(error.rawMessage).toBe("Calculator.add: argument 'b' is missing");
  });
});

function flavourIndex(flavour: Flavour): number {
  return flavours.indexOf(flavour);
}
