/**
 * grpc-js as an independent client of rpcgen's gRPC side: it loads the
 * generated calculator.proto unchanged with @grpc/proto-loader and calls the
 * calculator on the server's one port.
 */
import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import protobuf from "protobufjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { calculatorStubs, serveCalculator, type CalculatorStubs } from "./support/calculator.js";

type Unary = (request: object, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, reply: any) => void) => void;
type CalculatorClient = grpc.Client & Record<"add" | "multiply" | "divide" | "log" | "calculate", Unary>;

let stubs: CalculatorStubs;
let running: Awaited<ReturnType<typeof serveCalculator>>;
let client: CalculatorClient;
let Calculator: grpc.ServiceClientConstructor;
const logged: string[] = [];

beforeAll(async () => {
  stubs = await calculatorStubs("grpc-js-client");
  running = await serveCalculator(stubs.module, {}, logged);
  const definition = loadSync(stubs.protoPath, { keepCase: true, longs: String });
  Calculator = (grpc.loadPackageDefinition(definition) as any).calculator.Calculator;
  client = new Calculator(running.address, grpc.credentials.createInsecure()) as unknown as CalculatorClient;
});

afterAll(async () => {
  client?.close();
  await running?.server.close({ graceMs: 1000 });
  stubs?.dispose();
});

function call(target: CalculatorClient, method: keyof CalculatorClient & string, request: object, options: grpc.CallOptions = {}, metadata = new grpc.Metadata()): Promise<any> {
  return new Promise((resolve, reject) => {
    (target[method] as Unary)(request, metadata, options, (error, reply) => (error === null ? resolve(reply) : reject(error)));
  });
}

function failure(promise: Promise<unknown>): Promise<grpc.ServiceError> {
  return promise.then(
    (reply) => {
      throw new Error(`expected the call to fail, got ${JSON.stringify(reply)}`);
    },
    (error: grpc.ServiceError) => error,
  );
}

describe("grpc-js calling rpcgen's gRPC server", () => {
  it("adds: the response message holds the return value as `success`", async () => {
    expect(await call(client, "add", { a: 1, b: 2 })).toEqual({ success: 3 });
  });

  it("carries i64 exactly", async () => {
    expect(await call(client, "multiply", { a: "3037000499", b: "-3037000499" })).toEqual({ success: "-9223372030926249001" });
  });

  it("takes and returns structs and containers (wrapper messages)", async () => {
    const reply = await call(client, "calculate", {
      batch: { items: [{ num1: 2, num2: 3, op: 1, comment: "sum" }, { num1: 2, num2: 3, op: 3 }] },
    });
    expect(reply.success.results).toEqual({ items: ["5", "6"] });
    expect(reply.success.comments).toEqual({ items: ["sum"] });
    expect(reply.success.mean).toBe(5.5);
  });

  it("a declared exception is status UNKNOWN with the exception in grpc-status-details-bin", async () => {
    const error = await failure(call(client, "divide", { dividend: 1, divisor: 0 }));
    expect(error.code).toBe(grpc.status.UNKNOWN);
    expect(error.details).toBe("DivideByZero: cannot divide 1 by zero");
    const [detailsBin] = error.metadata.get("grpc-status-details-bin") as Buffer[];
    const root = protobuf.loadSync(stubs.protoPath);
    root.add(statusTypes());
    const status = root.lookupType("google.rpc.Status").decode(detailsBin!) as any;
    expect(status.code).toBe(grpc.status.UNKNOWN);
    expect(status.details).toHaveLength(1);
    expect(status.details[0].type_url).toBe("type.googleapis.com/calculator.DivideByZero");
    const exception = root.lookupType("calculator.DivideByZero").decode(status.details[0].value) as any;
    expect({ message: exception.message, dividend: exception.dividend }).toEqual({ message: "cannot divide 1 by zero", dividend: 1 });
  });

  it("the deadline reaches the server: a slow call ends DEADLINE_EXCEEDED", async () => {
    const started = Date.now();
    const error = await failure(call(client, "divide", { dividend: 5000, divisor: -1 }, { deadline: Date.now() + 150 }));
    expect(error.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(logged).toContain("slow 5000 deadline set");
    // The handler's signal aborts: by the server's deadline, or by the client's cancel, whichever came first.
    await expect.poll(() => logged.find((line) => line.startsWith("slow 5000 aborted"))).toMatch(/deadline|cancelled/);
    // The connection goes on serving.
    expect(await call(client, "add", { a: 2, b: 2 })).toEqual({ success: 4 });
  });

  it("metadata reaches the handler; a oneway call is answered at once with the empty response", async () => {
    const metadata = new grpc.Metadata();
    metadata.set("x-trace", "abc-123");
    expect(await call(client, "log", { line: "hello" }, {}, metadata)).toEqual({});
    await expect.poll(() => logged).toContain("hello|abc-123");
  });

  it("a missing argument is INVALID_ARGUMENT, from the one dispatch", async () => {
    const error = await failure(call(client, "add", { a: 1 }));
    expect(error.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error.details).toBe("Calculator.add: argument 'b' is missing");
  });

  it("an unknown method is UNIMPLEMENTED", async () => {
    const error = await failure(
      new Promise((resolve, reject) =>
        client.makeUnaryRequest("/calculator.Calculator/nope", () => Buffer.alloc(0), (b: Buffer) => b, {}, (e, r) => (e ? reject(e) : resolve(r))),
      ),
    );
    expect(error.code).toBe(grpc.status.UNIMPLEMENTED);
  });

  it("gzip-compressed requests are inflated", async () => {
    const gzipClient = new Calculator(running.address, grpc.credentials.createInsecure(), {
      "grpc.default_compression_algorithm": 2,
    }) as unknown as CalculatorClient;
    try {
      const batch = Array.from({ length: 200 }, (_, i) => ({ num1: i, num2: 1, op: 1, comment: "x".repeat(50) }));
      const reply = await call(gzipClient, "calculate", { batch: { items: batch } });
      expect(reply.success.results.items).toHaveLength(200);
    } finally {
      gzipClient.close();
    }
  });
});

describe("grpc-js against a server with a small message limit", () => {
  it("a request over maxFrameBytes is RESOURCE_EXHAUSTED and the connection goes on", async () => {
    const small = await serveCalculator(stubs.module, { maxFrameBytes: 1024 });
    const smallClient = new Calculator(small.address, grpc.credentials.createInsecure()) as unknown as CalculatorClient;
    try {
      const batch = Array.from({ length: 100 }, () => ({ num1: 1, num2: 1, op: 1, comment: "y".repeat(40) }));
      const error = await failure(call(smallClient, "calculate", { batch: { items: batch } }));
      expect(error.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      expect(await call(smallClient, "add", { a: 40, b: 2 })).toEqual({ success: 42 });
    } finally {
      smallClient.close();
      await small.server.close({ graceMs: 1000 });
    }
  });
});

/** google.rpc.Status and google.protobuf.Any, as a gRPC user declares them to read status details. */
function statusTypes(): protobuf.Namespace {
  return protobuf.Namespace.fromJSON("google", {
    nested: {
      rpc: {
        nested: {
          Status: {
            fields: { code: { type: "int32", id: 1 }, message: { type: "string", id: 2 }, details: { rule: "repeated", type: "Any", id: 3 } },
          },
          Any: { fields: { type_url: { type: "string", id: 1 }, value: { type: "bytes", id: 2 } } },
        },
      },
    },
  });
}
