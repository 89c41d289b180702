import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { once } from "node:events";
import { promisify } from "node:util";
import { type RespValue } from "@rpcgen/runtime";
import { serializeCommand } from "@rpcgen/runtime/internal/resp/resp-serializer.js";
import { startCalculatorServer, type RunningServer } from "./fixtures/calculator-server.js";
import { RawRespClient } from "./fixtures/raw-resp-client.js";

const execFileAsync = promisify(execFile);

let server: RunningServer;
const clients: RawRespClient[] = [];

beforeEach(async () => {
  server = await startCalculatorServer();
});

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  await server.close();
  expect(server.sockets.size).toBe(0);
});

/** Runs the real redis-cli against the test server (asynchronously: the server lives in this process). */
async function redisCli(...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync("redis-cli", ["-p", String(server.port), ...args], { encoding: "utf8", timeout: 15_000 });
  return stdout;
}

async function connect(): Promise<RawRespClient> {
  const client = await RawRespClient.connect(server.port);
  clients.push(client);
  return client;
}

function arrayItems(value: RespValue): readonly RespValue[] {
  if (value.type !== "array") throw new Error(`expected an array reply, got ${value.type}`);
  return value.value;
}

const bulk = (text: string): RespValue => ({ type: "bulk", value: Buffer.from(text) });
const integer = (value: number): RespValue => ({ type: "integer", value: BigInt(value) });

describe("RESP server with redis-cli", () => {
  it("CALL Calculator.add 1 2 prints 3", async () => {
    expect(await redisCli("CALL", "Calculator.add", "1", "2")).toBe("3\n");
    expect(await redisCli("--no-raw", "CALL", "Calculator.add", "1", "2")).toBe("(integer) 3\n");
  });

  it("reports a declared exception by its IDL name", async () => {
    expect(await redisCli("--no-raw", "CALL", "Calculator.divide", "1", "0")).toBe("(error) DivideByZero cannot divide 1 by 0\n");
    expect(await redisCli("CALL", "Calculator.divide", "1", "4")).toBe("0.25\n");
  });

  it("reports bad arguments, unknown methods and unknown commands", async () => {
    expect(await redisCli("--no-raw", "CALL", "Calculator.add", "1", "two")).toBe(
      `(error) INVALID_ARGUMENT Calculator.add: argument 'b' (i32): "two" is not an integer\n`,
    );
    // The same message as over binary frames and JSON: the server's one dispatch checks arguments.
    expect(await redisCli("--no-raw", "CALL", "Calculator.add", "1")).toBe("(error) INVALID_ARGUMENT Calculator.add: argument 'b' is missing\n");
    // Extra words are ignored, as the other codecs skip fields a method does not declare.
    expect(await redisCli("--no-raw", "CALL", "Calculator.add", "1", "2", "3")).toBe("(integer) 3\n");
    expect(await redisCli("--no-raw", "CALL", "Foo.bar")).toBe('(error) UNIMPLEMENTED unknown method "Foo.bar"\n');
    expect(await redisCli("--no-raw", "CALL", "Calculator.lookup", "k")).toBe("(error) NOT_FOUND no entry for k\n");
    expect(await redisCli("--no-raw", "FLUSHALL")).toBe("(error) ERR unknown command 'FLUSHALL', with args beginning with: \n");
  });

  it("hides an undeclared handler error and logs it", async () => {
    expect(await redisCli("--no-raw", "CALL", "Calculator.fail", "db password is hunter2")).toBe("(error) INTERNAL internal error\n");
    const logged = server.logger.entries.find((entry) => entry.level === "error");
    expect(logged?.msg).toBe("handler failed");
    expect(String((logged?.obj as { err: Error }).err.message)).toBe("secret detail: db password is hunter2");
  });

  it("hides a result that does not fit its IDL type and logs it", async () => {
    expect(await redisCli("--no-raw", "CALL", "Calculator.wrongType")).toBe("(error) INTERNAL internal error\n");
    const logged = server.logger.entries.find((entry) => entry.level === "error");
    expect(String((logged?.obj as { err: Error }).err.message)).toBe(`result: expected an integer (i32), got "not a number"`);
  });

  it("takes structs and containers as JSON and returns them as JSON", async () => {
    expect(await redisCli("CALL", "Calculator.echoPoint", '{"x":1,"y":2,"label":"a"}')).toBe('{"x":1,"y":2,"label":"a"}\n');
    const summary = JSON.parse(await redisCli("CALL", "Calculator.summarize", '{"point":{"x":1,"y":2}}', '[{"x":3,"y":4,"label":"q"}]', '{"a":"5","b":6}'));
    expect(summary).toMatchObject({ id: "11", area: 3, closed: false, digest: "AP8NCg==", tags: ["none", "q"], op: 3, count: 7 });
    expect(await redisCli("--no-raw", "CALL", "Calculator.echoList", "[3,1,2]")).toBe("1) (integer) 3\n2) (integer) 1\n3) (integer) 2\n");
  });

  it("maps void to OK, a missing result to INTERNAL (as every protocol does), and answers oneway calls at once", async () => {
    expect(await redisCli("CALL", "Calculator.reset")).toBe("OK\n");
    expect(await redisCli("--no-raw", "CALL", "Calculator.nothing")).toBe("(error) INTERNAL internal error\n");
    expect(await redisCli("CALL", "Calculator.log", "hello")).toBe("OK\n");
    expect(server.state.logged).toEqual(["hello"]);
    const context = server.state.lastContext!;
    expect(context.method.fullName).toBe("Calculator.log");
    expect(context.deadline).toBeUndefined();
    expect(context.metadata).toEqual({});
    expect(context.peer).toMatch(/^127\.0\.0\.1:\d+$/);
    // The call is over: its signal is not aborted by the connection closing later.
    expect(context.signal.aborted).toBe(false);
  });

  it("answers PING, ECHO, COMMAND and HELLO", async () => {
    expect(await redisCli("PING")).toBe("PONG\n");
    expect(await redisCli("PING", "hi there")).toBe("hi there\n");
    expect(await redisCli("ECHO", "x")).toBe("x\n");
    expect(Number(await redisCli("COMMAND", "COUNT"))).toBeGreaterThan(26);
    const docs = await redisCli("COMMAND", "DOCS", "Calculator.add");
    expect(docs).toContain("Calculator.add(a: i32, b: i32) returns i32");
    expect(await redisCli("-3", "HELLO", "3")).toContain("proto 3\n");
    expect(await redisCli("--no-raw", "HELLO", "4")).toBe("(error) NOPROTO unsupported protocol version\n");
  });

  it("calls a method by its wire name, without CALL", async () => {
    expect(await redisCli("Calculator.add", "20", "22")).toBe("42\n");
  });

  it("serves a pipelined batch from redis-cli --pipe", async () => {
    const commands = [
      serializeCommand(["CALL", "Calculator.add", "1", "2"]),
      serializeCommand(["CALL", "Calculator.divide", "1", "0"]),
      serializeCommand(["PING"]),
      serializeCommand(["CALL", "Calculator.log", "piped"]),
    ];
    const child = execFile("redis-cli", ["-p", String(server.port), "--pipe"], { encoding: "utf8", timeout: 15_000 });
    child.stdin!.end(Buffer.concat(commands));
    let output = "";
    child.stdout!.on("data", (text: string) => (output += text));
    const [code] = (await once(child, "exit")) as [number];
    expect(output).toContain("errors: 1, replies: 4");
    expect(code).toBe(1);
    expect(server.state.logged).toEqual(["piped"]);
  });
});

describe("RESP server over a raw socket", () => {
  it("answers pipelined calls in order although handlers finish out of order", async () => {
    const client = await connect();
    client.write(
      Buffer.concat([
        serializeCommand(["CALL", "Calculator.delayed", "1", "10"]),
        serializeCommand(["CALL", "Calculator.delayed", "2", "20"]),
        serializeCommand(["CALL", "Calculator.add", "1", "2"]),
        serializeCommand(["PING"]),
      ]),
    );
    server.state.gates.release(2);
    await server.state.gates.started(2);
    server.state.gates.release(1);
    expect(await client.read(4)).toEqual([integer(10), integer(20), integer(3), { type: "simple", value: "PONG" }]);
  });

  it("accepts inline commands", async () => {
    const client = await connect();
    // Empty and null multibulks are skipped, as Redis does.
    client.write('*0\r\n*-1\r\nPING\r\nCALL Calculator.add 1 2\r\nCALL Calculator.echoString "a b"\n');
    expect(await client.read(3)).toEqual([{ type: "simple", value: "PONG" }, integer(3), bulk("a b")]);
  });

  it("switches to RESP3 after HELLO 3", async () => {
    const client = await connect();
    client.write(Buffer.concat([serializeCommand(["HELLO", "3"]), serializeCommand(["CALL", "Calculator.echoPoint", '{"x":1,"y":2}'])]));
    const [hello, point] = await client.read(2);
    expect(hello!.type).toBe("map");
    expect(point).toEqual({ type: "map", value: [[bulk("x"), integer(1)], [bulk("y"), integer(2)]] });
  });

  it("answers COMMAND, COMMAND INFO, CLIENT and RPC.ERRORS", async () => {
    const client = await connect();
    client.write(
      Buffer.concat([
        serializeCommand(["COMMAND"]),
        serializeCommand(["COMMAND", "INFO", "Calculator.add", "nope"]),
        serializeCommand(["CLIENT", "SETNAME", "tester"]),
        serializeCommand(["CLIENT", "GETNAME"]),
        serializeCommand(["RPC.ERRORS", "JSON"]),
        serializeCommand(["CALL", "Calculator.divide", "3", "0"]),
        serializeCommand(["RPC.ERRORS", "XML"]),
      ]),
    );
    const [all, info, setName, getName, format, divide, badFormat] = await client.read(7);
    const names = arrayItems(all!).map((entry) => {
      const name = arrayItems(entry)[0]!;
      return name.type === "bulk" ? name.value.toString() : "";
    });
    expect(names).toEqual(expect.arrayContaining(["call", "ping", "hello", "command", "Calculator.add", "Calculator.summarize"]));
    expect(info).toEqual({
      type: "array",
      value: [
        expect.objectContaining({ type: "array", value: expect.arrayContaining([bulk("Calculator.add"), integer(3)]) }),
        { type: "null" },
      ],
    });
    expect([setName, getName, format]).toEqual([{ type: "simple", value: "OK" }, bulk("tester"), { type: "simple", value: "OK" }]);
    expect(divide).toEqual({ type: "error", value: 'DivideByZero {"dividend":3,"message":"cannot divide 3 by 0"}' });
    expect(badFormat).toEqual({ type: "error", value: "ERR RPC.ERRORS takes TEXT or JSON" });
  });

  it("replies OK to QUIT and closes", async () => {
    const client = await connect();
    client.write(Buffer.concat([serializeCommand(["CALL", "Calculator.add", "2", "2"]), serializeCommand(["QUIT"]), serializeCommand(["PING"])]));
    expect(await client.read(2)).toEqual([integer(4), { type: "simple", value: "OK" }]);
    await client.closed;
  });

  it("closes only the connection that sent garbage", async () => {
    const good = await connect();
    const bad = await connect();
    bad.write("*1\r\n$abc\r\n");
    const [reply] = await bad.read(1);
    expect(reply).toEqual({ type: "error", value: "ERR Protocol error: invalid length 'abc' (at byte 4 of the stream)" });
    await bad.closed;
    expect(server.logger.entries.some((entry) => entry.level === "warn" && /protocol error/.test(entry.msg ?? ""))).toBe(true);
    good.write(serializeCommand(["PING"]));
    expect(await good.read(1)).toEqual([{ type: "simple", value: "PONG" }]);
  });

  it("refuses a command that is not an array of bulk strings", async () => {
    const client = await connect();
    client.write("*1\r\n:1\r\n");
    expect(await client.read(1)).toEqual([{ type: "error", value: "ERR Protocol error: expected '$', got ':' (at byte 4 of the stream)" }]);
    await client.closed;
  });
});

describe("RESP server limits", () => {
  it("refuses a request larger than maxFrameBytes before reading its data", async () => {
    await server.close();
    server = await startCalculatorServer({ maxFrameBytes: 100 });
    const client = await connect();
    client.write("*3\r\n$4\r\nCALL\r\n$21\r\nCalculator.echoString\r\n$1000\r\n");
    const [reply] = await client.read(1);
    expect(reply).toEqual({ type: "error", value: "ERR Protocol error: request of 3 arguments needs about 340 bytes, over the limit of 100 bytes per request (at byte 0 of the stream)" });
    await client.closed;
  });
});

describe("RESP server back-pressure", () => {
  it("stops taking commands while maxInFlightPerConnection replies are pending", async () => {
    await server.close();
    server = await startCalculatorServer({ maxInFlightPerConnection: 2 });
    const client = await connect();
    client.write(Buffer.concat([1, 2, 3, 4, 5].map((gate) => serializeCommand(["CALL", "Calculator.delayed", String(gate), String(gate * 10)]))));
    await server.state.gates.started(2);
    server.state.gates.release(1);
    expect(await client.read(1)).toEqual([integer(10)]);
    // Reply 1 left the queue, so exactly one more command (gate 3) was started, and no more.
    expect(server.state.gates.startedCount).toBe(3);
    for (const gate of [2, 3, 4, 5]) server.state.gates.release(gate);
    expect(await client.read(4)).toEqual([integer(20), integer(30), integer(40), integer(50)]);
  });

  it("stops reading while the socket holds maxPendingBytes of unsent replies", async () => {
    await server.close();
    server = await startCalculatorServer({ maxPendingBytes: 64 * 1024, maxFrameBytes: 64 * 1024 * 1024 });
    const client = await connect();
    client.socket.pause();
    // A reply far larger than the kernel's socket buffers, to a client that does not read.
    const big = "x".repeat(32 * 1024 * 1024);
    client.write(serializeCommand(["CALL", "Calculator.echoString", big]));
    const [serverSide] = [...server.sockets];
    for (let i = 0; i < 100_000 && serverSide!.writableLength < 64 * 1024; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(serverSide!.writableLength).toBeGreaterThanOrEqual(64 * 1024);
    // This listener runs after the connection's own, so it sees what the connection did with the chunk.
    const seen = new Promise<{ paused: boolean; logged: number }>((resolve) =>
      serverSide!.once("data", () => resolve({ paused: serverSide!.isPaused(), logged: server.state.logged.length })),
    );
    client.write(serializeCommand(["CALL", "Calculator.log", "after"]));
    expect(await seen).toEqual({ paused: true, logged: 0 });
    client.socket.resume();
    const [echoed, ok] = await client.read(2);
    expect(echoed!.type === "bulk" && echoed!.value.length).toBe(big.length);
    expect(ok).toEqual({ type: "simple", value: "OK" });
    expect(server.state.logged).toEqual(["after"]);
  });
});
