/**
 * Governance over Thrift: a ClusterInvoker whose transports are ThriftChannels
 * balances and fails over between an Apache Thrift server and rpcgen's own port
 * (a service moving to rpcgen one side at a time), and the same setup comes
 * from a YAML file (`protocol: thrift`).
 */
import type { AddressInfo, Server as NetServer, Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DirectRegistry, clusterOptionsFromConfig, createClusterInvoker, createRegistryFromConfig, parseConfig, silentLogger, thriftTransportFactory } from "@rpcgen/runtime";
import { CalculatorClient, CalculatorService, DivideByZero } from "../../../examples/calculator/gen/calculator.js";
import {
  calculatorIdl,
  generateApacheCode,
  requireGenerated,
  requireThrift,
  startPythonServer,
  type ApacheGenerated,
} from "./support/apache-thrift-tools.js";
import { startCalculator, type RunningCalculator } from "./support/calculator-server.js";

const thrift = requireThrift();
let jsCode: ApacheGenerated;
let pyCode: ApacheGenerated;
let calculator: RunningCalculator;

beforeAll(async () => {
  jsCode = generateApacheCode("js:node", calculatorIdl);
  pyCode = generateApacheCode("py", calculatorIdl);
  calculator = await startCalculator();
});

afterAll(async () => {
  await calculator?.close();
  jsCode?.dispose();
  pyCode?.dispose();
});

/** Apache's npm server of the calculator (framed, compact), counting its `add` calls. */
async function startApacheCalculator(): Promise<{
  server: NetServer;
  port: number;
  adds: () => number;
  kill: () => Promise<void>;
}> {
  const Calculator = requireGenerated(jsCode, "Calculator.js");
  let adds = 0;
  const handler = {
    add: (a: number, b: number) => {
      adds++;
      return a + b;
    },
    subtract: (a: number, b: number) => a - b,
    multiply: (a: unknown, b: unknown) => thrift.fromBigInt(thrift.toBigInt(a) * thrift.toBigInt(b)),
    divide: async (a: number, b: number) => Math.trunc(a / b),
    log: (_line: string) => undefined,
    calculate: async (_batch: unknown[]) => {
      throw new Error("not needed here");
    },
  };
  const server: NetServer = thrift.createServer(Calculator, handler, {
    transport: thrift.TFramedTransport,
    protocol: thrift.TCompactProtocol,
  });
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    adds: () => adds,
    // As a crash looks to the client: every connection reset, nothing listening.
    kill: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe("a ClusterInvoker over ThriftChannels", () => {
  it("spreads calls over an Apache Thrift server and rpcgen's port, and fails over when the Apache one dies", async () => {
    const apache = await startApacheCalculator();
    const registry = new DirectRegistry(
      [
        { service: "Calculator", version: "1.0.0", address: `127.0.0.1:${apache.port}` },
        { service: "Calculator", version: "1.0.0", address: `127.0.0.1:${calculator.port}` },
      ],
      { logger: silentLogger },
    );
    const invoker = createClusterInvoker({
      service: CalculatorService,
      registry,
      versionRange: ">=1.0 <2",
      balancer: "round-robin",
      policy: "failover",
      retries: 2,
      transportFactory: thriftTransportFactory({ protocol: "compact", reconnect: { baseMs: 50, maxMs: 200 } }),
      logger: silentLogger,
    });
    try {
      const client = new CalculatorClient(invoker);
      const sums = await Promise.all(Array.from({ length: 20 }, (_, i) => client.add(i, 1)));
      expect(sums).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      // Round robin: both sides served calls.
      expect(apache.adds()).toBeGreaterThan(0);
      expect(apache.adds()).toBeLessThan(20);
      const rpcgenAdds = calculator.handler.adds;
      await apache.kill();
      for (let i = 0; i < 20; i++) expect(await client.add(i, 2)).toBe(i + 2);
      expect(calculator.handler.adds - rpcgenAdds).toBe(20);
      // Declared exceptions come back as themselves (Apache's divide here would just divide).
      const error = await client.divide(1, 0).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DivideByZero);
    } finally {
      await invoker.close();
      await apache.kill().catch(() => undefined);
    }
  });
});

describe("the YAML configuration", () => {
  it("protocol: thrift with transport, thriftProtocol and multiplexed calls a Python TSimpleServer", async () => {
    const python = await startPythonServer([pyCode.dir, "buffered", "compact", "mux"]);
    const config = parseConfig(`
application:
  name: thrift-client
registry:
  protocol: direct
  providers:
    - { service: Calculator, version: 1.0.0, address: "127.0.0.1:${python.port}" }
client:
  services:
    Calculator:
      protocol: thrift
      transport: buffered
      thriftProtocol: compact
      multiplexed: true
      timeoutMs: 5000
`);
    const registry = createRegistryFromConfig(config, { logger: silentLogger });
    const invoker = createClusterInvoker(clusterOptionsFromConfig(config, CalculatorService, registry, { logger: silentLogger }));
    try {
      const client = new CalculatorClient(invoker);
      expect(await client.add(1, 2)).toBe(3);
      const error = await client.divide(1, 0).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DivideByZero);
      expect(error).toMatchObject({ dividend: 1 });
    } finally {
      await invoker.close();
      await python.stop();
    }
  });

  it("refuses a Thrift transport or protocol it does not know", () => {
    expect(() =>
      parseConfig(`
application: { name: x }
client: { services: { Calculator: { protocol: thrift, transport: http, thriftProtocol: json } } }
`),
    ).toThrow(/transport: expected one of "framed", "buffered".*\n.*thriftProtocol: expected one of "binary", "compact"/);
  });
});
