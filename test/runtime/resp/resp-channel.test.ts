import { afterEach, beforeEach, describe, expect, it } from "vitest";
import net from "node:net";
import { once } from "node:events";
import { Code, RespChannel, RpcError } from "@rpcgen/runtime";
import { calculatorMethod, DivideByZero } from "./fixtures/calculator.js";
import { startCalculatorServer, type RunningServer } from "./fixtures/calculator-server.js";

let server: RunningServer;
let channel: RespChannel;

beforeEach(async () => {
  server = await startCalculatorServer();
  channel = new RespChannel({ port: server.port });
});

afterEach(async () => {
  await channel.close();
  await server.close();
});

const call = (name: string, ...args: unknown[]) => channel.invoke(calculatorMethod(name), args);

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

describe("RespChannel", () => {
  it("round-trips every type", async () => {
    const summary = {
      id: 2n ** 62n,
      area: -0,
      closed: true,
      digest: new Uint8Array([0, 13, 10, 255]),
      tags: new Set(["a", "b"]),
      named: new Map([["p", { x: 1, y: 2, label: "n" }]]),
      ref: "0f8fad5b-d9cb-469f-a165-70867728950e",
      op: 2,
      byPoint: new Map([[{ x: 3, y: 4 }, "v"]]),
      count: 7,
    };
    const cases: [string, unknown][] = [
      ["echoI8", -128],
      ["echoI16", 32767],
      ["echoI64", -(2n ** 63n)],
      ["echoI64Number", 9007199254740991],
      ["echoI64String", "9223372036854775807"],
      ["echoDouble", 0.1],
      ["echoDouble", NaN],
      ["echoDouble", -Infinity],
      ["echoDouble", -0],
      ["echoBool", true],
      ["echoBool", false],
      ["echoBinary", new Uint8Array([0, 1, 13, 10, 255])],
      ["echoString", "multi\r\nline ünicode"],
      ["echoString", ""],
      ["echoUuid", "0f8fad5b-d9cb-469f-a165-70867728950e"],
      ["echoList", [3, 1, 2]],
      ["echoSet", new Set(["x", "y"])],
      ["echoMap", new Map([["big", 2n ** 63n - 1n], ["neg", -1n]])],
      ["echoPoints", [{ x: 1, y: 2 }, { x: 3, y: 4, label: "z" }]],
      ["echoEnum", 3],
      ["echoPoint", { x: -1, y: 0 }],
      ["echoSummary", summary],
    ];
    expect(await call("add", 40, 2)).toBe(42);
    for (const [name, value] of cases) {
      const result = await call(name, value);
      if (typeof value === "number") expect(Object.is(result, value)).toBe(true);
      else expect(result).toEqual(value);
    }
    expect(await call("reset")).toBeUndefined();
    // A handler that returns nothing for a method that promises a value is a server bug, over every protocol.
    expect(await rejection(call("nothing"))).toMatchObject({ code: Code.INTERNAL, message: "internal error" });
    expect(await call("greet", "ann")).toBe("hello, ann");
    expect(await call("greet", "ann", "hi")).toBe("hi, ann");
  });

  it("pipelines many calls on one connection and matches replies in order", async () => {
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => call("add", i, i)));
    expect(results).toEqual(Array.from({ length: 200 }, (_, i) => 2 * i));
    expect(server.sockets.size).toBe(1);
  });

  it("rejects with the generated exception class for a declared exception", async () => {
    const error = await rejection(call("divide", 7, 0));
    expect(error).toBeInstanceOf(DivideByZero);
    expect((error as DivideByZero).dividend).toBe(7);
    expect((error as DivideByZero).message).toBe("cannot divide 7 by 0");
  });

  it("rejects with RpcError codes for framework errors", async () => {
    const internal = await rejection(call("fail", "secret"));
    expect(internal).toBeInstanceOf(RpcError);
    expect((internal as RpcError).code).toBe(Code.INTERNAL);
    expect((internal as RpcError).message).toBe("internal error");
    const notFound = await rejection(call("lookup", "k1"));
    expect(notFound).toBeInstanceOf(RpcError);
    expect([(notFound as RpcError).code, (notFound as RpcError).message]).toEqual([Code.NOT_FOUND, "no entry for k1"]);
    const invalid = await rejection(call("add", 1.5, 1));
    expect((invalid as RpcError).code).toBe(Code.INVALID_ARGUMENT);
    expect((invalid as RpcError).message).toMatch(/argument 'a' \(i32\)/);
  });

  it("sends a oneway call and resolves once the server took it", async () => {
    expect(await call("log", "from channel")).toBeUndefined();
    expect(server.state.logged).toEqual(["from channel"]);
  });

  it("times out with DEADLINE_EXCEEDED and keeps the pipeline aligned", async () => {
    const slow = channel.invoke(calculatorMethod("delayed"), [1, 10], { timeoutMs: 20 });
    const error = await rejection(slow);
    expect((error as RpcError).code).toBe(Code.DEADLINE_EXCEEDED);
    const next = call("add", 1, 1);
    server.state.gates.release(1);
    // The late reply to the timed-out call is consumed, not given to the next call.
    expect(await next).toBe(2);
  });

  it("cancels with CANCELLED when the signal aborts", async () => {
    const controller = new AbortController();
    const pending = channel.invoke(calculatorMethod("delayed"), [1, 10], { signal: controller.signal });
    await server.state.gates.started(1);
    controller.abort();
    expect(((await rejection(pending)) as RpcError).code).toBe(Code.CANCELLED);
    server.state.gates.release(1);
    expect(await call("add", 2, 2)).toBe(4);
    const already = await rejection(channel.invoke(calculatorMethod("add"), [1, 2], { signal: AbortSignal.abort() }));
    expect((already as RpcError).code).toBe(Code.CANCELLED);
  });

  it("close() lets outstanding calls finish, then refuses new ones", async () => {
    const pending = channel.invoke(calculatorMethod("delayed"), [1, 99]);
    await server.state.gates.started(1);
    const closed = channel.close();
    server.state.gates.release(1);
    expect(await pending).toBe(99);
    await closed;
    expect(((await rejection(call("add", 1, 2))) as RpcError).code).toBe(Code.UNAVAILABLE);
  });

  it("rejects pending calls with UNAVAILABLE when the server goes away, and reconnects", async () => {
    const pending = call("delayed", 1, 10);
    await server.state.gates.started(1);
    for (const socket of server.sockets) socket.destroy();
    expect(((await rejection(pending)) as RpcError).code).toBe(Code.UNAVAILABLE);
    expect(await call("add", 5, 5)).toBe(10);
  });

  it("rejects with UNAVAILABLE when nothing listens", async () => {
    const probe = net.createServer();
    probe.listen(0, "127.0.0.1");
    await once(probe, "listening");
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const lonely = new RespChannel({ port });
    const error = await rejection(lonely.invoke(calculatorMethod("add"), [1, 2]));
    expect((error as RpcError).code).toBe(Code.UNAVAILABLE);
    await lonely.close();
  });
});
