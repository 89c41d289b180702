/**
 * The reverse direction: the generated rpcgen CalculatorClient, through a
 * ThriftChannel, calls Apache Thrift servers (the npm `thrift` library's server
 * and Python's TSimpleServer, each with its own generated code) in every
 * transport/protocol pair, plain and multiplexed.
 */
import type { AddressInfo, Server as NetServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ThriftChannel } from "@rpcgen/runtime";
import { CalculatorClient, DivideByZero, Operation } from "../../../examples/calculator/gen/calculator.js";
import {
  calculatorIdl,
  generateApacheCode,
  npmThriftClasses,
  requireGenerated,
  requireThrift,
  startPythonServer,
  thriftVariants,
  type ApacheGenerated,
} from "./support/apache-thrift-tools.js";
import { eventually } from "./support/calculator-server.js";

const thrift = requireThrift();
let jsCode: ApacheGenerated;
let pyCode: ApacheGenerated;

beforeAll(() => {
  jsCode = generateApacheCode("js:node", calculatorIdl);
  pyCode = generateApacheCode("py", calculatorIdl);
});

afterAll(() => {
  jsCode?.dispose();
  pyCode?.dispose();
});

type Transport = "framed" | "buffered";
type Protocol = "binary" | "compact";

/** What both Apache servers compute: add, divide, multiply as usual; calculate sums each Work's numbers. */
async function callEverything(client: CalculatorClient, channel: ThriftChannel): Promise<void> {
  expect(await client.add(1, 2)).toBe(3);
  const divided = await client.divide(1, 0).then(
    () => "returned",
    (error: unknown) => error,
  );
  expect(divided).toBeInstanceOf(DivideByZero);
  expect(divided).toMatchObject({ dividend: 1, message: "cannot divide 1 by zero" });
  expect(await client.multiply(1n << 40n, 3n)).toBe(3n << 40n);
  const report = await client.calculate([
    { num1: 7, num2: 2, op: Operation.ADD, comment: "seven" },
    { num1: 1, num2: 2, op: Operation.ADD },
  ]);
  expect(report.results).toEqual([9n, 3n]);
  expect(report.countsByOperation).toEqual(new Map([["ADD", 2]]));
  expect(report.comments).toEqual(new Set(["seven"]));
  expect(report.mean).toBe(6);
  // Pipelined on the one connection; Apache's servers answer in order.
  const sums = await Promise.all(Array.from({ length: 32 }, (_, i) => client.add(i, 100)));
  expect(sums).toEqual(Array.from({ length: 32 }, (_, i) => i + 100));
  // Governance's probe: a round trip any Thrift server answers.
  expect(await channel.ping({ timeoutMs: 5000 })).toBeGreaterThanOrEqual(0);
  expect(await client.add(2, 2)).toBe(4);
}

function openChannel(port: number, transport: Transport, protocol: Protocol, mode: string): ThriftChannel {
  return new ThriftChannel({
    address: `127.0.0.1:${port}`,
    transport,
    protocol,
    multiplexed: mode === "mux",
    defaultTimeoutMs: 10_000,
  });
}

describe("rpcgen's ThriftChannel against the npm thrift server", () => {
  async function startNpmServer(transport: Transport, protocol: Protocol, mode: string, logLines: string[]): Promise<NetServer> {
    const Calculator = requireGenerated(jsCode, "Calculator.js");
    const types = requireGenerated(jsCode, "calculator_types.js");
    // Handlers with the methods' exact arity: the generated processor then takes their return values or
    // promises (a synchronous throw would escape it, so divide is async).
    const handler = {
      add: (a: number, b: number) => a + b,
      subtract: (a: number, b: number) => a - b,
      multiply: (a: unknown, b: unknown) => thrift.fromBigInt(thrift.toBigInt(a) * thrift.toBigInt(b)),
      divide: async (dividend: number, divisor: number) => {
        if (divisor === 0) throw new types.DivideByZero({ message: `cannot divide ${dividend} by zero`, dividend });
        return Math.trunc(dividend / divisor);
      },
      log: (line: string) => void logLines.push(line),
      calculate: (batch: Array<{ num1: number; num2: number; comment?: string | null }>) => {
        const results = batch.map((work) => work.num1 + work.num2);
        return new types.Report({
          results: results.map((value) => thrift.fromBigInt(BigInt(value))),
          countsByOperation: { ADD: batch.length },
          comments: batch.flatMap((work) => (work.comment == null ? [] : [work.comment])),
          mean: results.reduce((sum, value) => sum + value, 0) / results.length,
        });
      },
    };
    const classes = npmThriftClasses(thrift, transport, protocol);
    let server: NetServer;
    if (mode === "mux") {
      const processor = new thrift.MultiplexedProcessor();
      processor.registerProcessor("Calculator", new Calculator.Processor(handler));
      server = thrift.createMultiplexServer(processor, classes);
    } else {
      server = thrift.createServer(Calculator, handler, classes);
    }
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return server;
  }

  it.each(thriftVariants)("%s transport, %s protocol, %s names", async (transport, protocol, mode) => {
    const logLines: string[] = [];
    const server = await startNpmServer(transport, protocol, mode, logLines);
    const channel = openChannel((server.address() as AddressInfo).port, transport, protocol, mode);
    try {
      const client = new CalculatorClient(channel);
      await callEverything(client, channel);
      await client.log("oneway to npm");
      await eventually(() => logLines.includes("oneway to npm"));
    } finally {
      await channel.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe("rpcgen's ThriftChannel against Python's TSimpleServer", () => {
  it.each(thriftVariants)("%s transport, %s protocol, %s names", async (transport, protocol, mode) => {
    const server = await startPythonServer([pyCode.dir, transport, protocol, mode]);
    const channel = openChannel(server.port, transport, protocol, mode);
    try {
      const client = new CalculatorClient(channel);
      await callEverything(client, channel);
      await client.log("oneway to python");
      await eventually(() => server.output.includes("log: oneway to python"));
    } finally {
      await channel.close();
      await server.stop();
    }
  });
});
