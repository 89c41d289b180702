/**
 * The generated CalculatorClient over GrpcChannel, against a grpc-js server
 * that serves the generated `.proto` (an existing gRPC service), through a
 * governed cluster invoker, and against rpcgen's own gRPC side.
 */
import type * as grpc from "@grpc/grpc-js";
import { Code, DirectRegistry, GrpcChannel, RpcError, clusterOptionsFromConfig, createClusterInvoker, createRegistryFromConfig, grpcTransportFactory, parseConfig, silentLogger } from "@rpcgen/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { calculatorStubs, serveCalculator, type CalculatorModule, type CalculatorStubs } from "./support/calculator.js";
import { serveGrpcJsCalculator, type GrpcJsSeen } from "./support/grpc-js-calculator.js";

let stubs: CalculatorStubs;
let calculator: CalculatorModule;
let grpcJs: { server: grpc.Server; address: string; seen: GrpcJsSeen };
let channel: GrpcChannel;
let client: any;

beforeAll(async () => {
  stubs = await calculatorStubs("grpc-channel");
  calculator = stubs.module;
  grpcJs = await serveGrpcJsCalculator(stubs.protoPath);
  channel = new GrpcChannel({ address: grpcJs.address, logger: silentLogger });
  client = new calculator["CalculatorClient"](channel);
});

afterAll(async () => {
  await channel?.close();
  grpcJs?.server.forceShutdown();
  stubs?.dispose();
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    (value) => {
      throw new Error(`expected a rejection, got ${String(value)}`);
    },
    (error: unknown) => error,
  );
}

describe("the generated client over GrpcChannel, against grpc-js", () => {
  it("calls unary methods and gets their values", async () => {
    expect(await client.add(1, 2)).toBe(3);
    expect(await client.multiply(3037000499n, -3037000499n)).toBe(-9223372030926249001n);
  });

  it("reads structs and containers from their wrapper messages", async () => {
    const report = await client.calculate([
      { num1: 1, num2: 2, op: 1, comment: "a" },
      { num1: 3, num2: 4, op: 3 },
    ]);
    expect(report.results).toEqual([3n, 12n]);
    expect(report.countsByOperation).toEqual(new Map([["ADD", 2]]));
    expect(report.comments).toEqual(new Set(["a"]));
    expect(report.mean).toBe(2.5);
  });

  it("a declared exception in grpc-status-details-bin rejects as the generated class", async () => {
    const error = await rejection(client.divide(1, 0));
    expect(error).toBeInstanceOf(calculator["DivideByZero"]);
    expect((error as any).dividend).toBe(1);
    expect((error as Error).message).toBe("cannot divide 1 by zero");
  });

  it("a status is an RpcError with the same code", async () => {
    const error = await rejection(client.divide(1, -2));
    expect(error).toBeInstanceOf(RpcError);
    expect((error as RpcError).code).toBe(Code.NOT_FOUND);
    expect((error as RpcError).message).toBe("no such divisor");
  });

  it("the deadline travels as grpc-timeout and the server's call is cancelled", async () => {
    const started = Date.now();
    const error = await rejection(client.divide(3000, -1, { timeoutMs: 150 }));
    expect((error as RpcError).code).toBe(Code.DEADLINE_EXCEEDED);
    expect(Date.now() - started).toBeLessThan(1500);
    const deadline = grpcJs.seen.deadlines.at(-1);
    expect(deadline instanceof Date ? deadline.getTime() : deadline).toBeLessThan(started + 1000);
    await expect.poll(() => grpcJs.seen.cancelled).toBeGreaterThan(0);
  });

  it("an aborted signal cancels the call", async () => {
    const controller = new AbortController();
    const pending = client.divide(3000, -1, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect(((await rejection(pending)) as RpcError).code).toBe(Code.CANCELLED);
  });

  it("metadata travels as headers; a name or value HTTP/2 cannot carry is INVALID_ARGUMENT for that call only", async () => {
    await client.add(1, 1, { metadata: { "X-Trace": "t-42" } });
    expect(grpcJs.seen.traces).toContain("t-42");
    // node:http2 would drop the whole session over such a header: the channel refuses the one call instead.
    const pending = client.divide(300, -1);
    for (const metadata of [{ "x trace": "a" }, { "x-trace": "line\nbreak" }]) {
      expect(((await rejection(client.add(1, 1, { metadata }))) as RpcError).code).toBe(Code.INVALID_ARGUMENT);
    }
    expect(await pending).toBe(-300);
    expect(await client.add(2, 2)).toBe(4);
  });

  it("a oneway call completes", async () => {
    await expect(client.log("hello")).resolves.toBeUndefined();
  });
});

describe("governance over gRPC providers", () => {
  it("a cluster invoker balances over GrpcChannels and fails over from a dead provider", async () => {
    const registry = new DirectRegistry(
      [
        { service: "Calculator", version: "1.0.0", address: grpcJs.address },
        // Nothing listens here: calls sent to it fail over to the live provider.
        { service: "Calculator", version: "1.0.0", address: "127.0.0.1:1" },
      ],
      { logger: silentLogger },
    );
    const invoker = createClusterInvoker({
      service: calculator["CalculatorService"],
      registry,
      policy: "failover",
      retries: 2,
      balancer: "round-robin",
      transportFactory: grpcTransportFactory({ logger: silentLogger }, calculator["CalculatorService"]),
      logger: silentLogger,
    });
    try {
      const governed = new calculator["CalculatorClient"](invoker);
      const sums = await Promise.all(Array.from({ length: 20 }, (_, i) => governed.add(i, 1)));
      expect(sums).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    } finally {
      await invoker.close();
    }
  });
});

describe("protocol: grpc in the YAML configuration", () => {
  it("gives the service's cluster invoker GrpcChannels", async () => {
    const config = parseConfig(`
application: { name: grpc-config-test }
registry:
  protocol: direct
  providers:
    - { service: Calculator, version: 1.0.0, address: "${grpcJs.address}" }
client:
  services:
    Calculator: { protocol: grpc, timeoutMs: 2000 }
`);
    const service = calculator["CalculatorService"];
    const invoker = createClusterInvoker(clusterOptionsFromConfig(config, service, createRegistryFromConfig(config, { logger: silentLogger }), { logger: silentLogger }));
    try {
      const configured = new calculator["CalculatorClient"](invoker);
      expect(await configured.subtract(10, 4)).toBe(6);
      expect(await rejection(configured.divide(3, 0))).toBeInstanceOf(calculator["DivideByZero"]);
    } finally {
      await invoker.close();
    }
  });

  it("rejects an unknown protocol with the key path", () => {
    expect(() => parseConfig("application: { name: x }\nclient: { services: { Calculator: { protocol: corba } } }\n")).toThrow(
      /client\.services\.Calculator\.protocol: expected one of .*"grpc"/,
    );
  });
});

describe("GrpcChannel against rpcgen's own gRPC side", () => {
  it("round-trips values, exceptions and errors", async () => {
    const running = await serveCalculator(calculator);
    const own = new GrpcChannel({ address: running.address, logger: silentLogger });
    try {
      const ownClient = new calculator["CalculatorClient"](own);
      expect(await ownClient.add(20, 22)).toBe(42);
      const report = await ownClient.calculate([{ num1: 2, num2: 2, op: 1 }]);
      expect(report.results).toEqual([4n]);
      const error = await rejection(ownClient.divide(7, 0));
      expect(error).toBeInstanceOf(calculator["DivideByZero"]);
      expect((error as any).dividend).toBe(7);
      const slow = await rejection(ownClient.divide(2000, -1, { timeoutMs: 100 }));
      expect((slow as RpcError).code).toBe(Code.DEADLINE_EXCEEDED);
    } finally {
      await own.close();
      await running.server.close({ graceMs: 1000 });
    }
  });
});
