/**
 * redis-cli as an independent peer of the RESP side: a Server serving a
 * generated handler answers `redis-cli -p PORT CALL Service.method args...`
 * with what redis-cli prints for Redis itself.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GeneratedModule, type GeneratedStubs, generateStubs } from "./support/generated-stubs.js";
import { EchoHandler } from "./support/echo-handler.js";
import { type RunningServer, startServer } from "./support/transports.js";

const run = promisify(execFile);

let stubs: GeneratedStubs;
let roundtrip: GeneratedModule;
let running: RunningServer;

beforeAll(async () => {
  stubs = await generateStubs("redis-cli", "roundtrip.thrift");
  roundtrip = await stubs.load("roundtrip");
  running = await startServer((server) => roundtrip["registerEcho"](server, new EchoHandler(roundtrip)));
});

afterAll(async () => {
  await running?.server.close({ graceMs: 1000 });
  stubs?.dispose();
});

/**
 * Runs redis-cli against the server (asynchronously: the server answers from
 * this same process) and returns what it printed. `--no-raw` makes it print as
 * it does on a terminal, with `(integer)`, quotes and `(error)`.
 */
async function redisCli(...args: string[]): Promise<string> {
  const { stdout } = await run("redis-cli", ["-p", String(running.port), "--no-raw", ...args], { timeout: 20_000 });
  return stdout;
}

describe("redis-cli CALL", () => {
  it("an i32 method prints an integer", async () => {
    expect(await redisCli("CALL", "Echo.add", "20", "22")).toBe("(integer) 42\n");
  });

  it("the method name alone works as the command", async () => {
    expect(await redisCli("Echo.add", "-1", "1")).toBe("(integer) 0\n");
  });

  it("i64 extremes print exactly", async () => {
    expect(await redisCli("CALL", "Echo.echoI64", "-9223372036854775808")).toBe("(integer) -9223372036854775808\n");
    expect(await redisCli("CALL", "Echo.echoI64", "9223372036854775807")).toBe("(integer) 9223372036854775807\n");
  });

  it("a bool prints as an integer, a double as a bulk string", async () => {
    expect(await redisCli("CALL", "Echo.echoBool", "true")).toBe("(integer) 1\n");
    expect(await redisCli("CALL", "Echo.echoDouble", "-0")).toBe('"-0"\n');
    expect(await redisCli("CALL", "Echo.echoDouble", "inf")).toBe('"inf"\n');
  });

  it("strings print as bulk strings, UTF-8 escaped by redis-cli", async () => {
    expect(await redisCli("CALL", "Echo.echoString", "hello world")).toBe('"hello world"\n');
    expect(await redisCli("CALL", "Echo.echoString", "")).toBe('""\n');
    expect(await redisCli("CALL", "Echo.echoString", "é")).toBe('"\\xc3\\xa9"\n');
  });

  it("an enum goes in by name and comes back as its number", async () => {
    expect(await redisCli("CALL", "Echo.echoColor", "BELOW_ZERO")).toBe("(integer) -5\n");
  });

  it("a list prints as an array", async () => {
    expect(await redisCli("CALL", "Echo.echoList", "[3,-1,7]")).toBe("1) (integer) 3\n2) (integer) -1\n3) (integer) 7\n");
    expect(await redisCli("CALL", "Echo.echoList", "[]")).toBe("(empty array)\n");
  });

  it("a struct prints as JSON, with its i64 as a decimal string and defaults applied", async () => {
    const printed = await redisCli("CALL", "Echo.echoDefaults", '{"id":"a","tags":["x"],"big":"-9223372036854775808"}');
    expect(printed).toMatch(/^".*"\n$/);
    // redis-cli quotes the bulk string and escapes its inner quotes; undo that to read the JSON.
    const json = JSON.parse(JSON.parse(printed)) as Record<string, unknown>;
    expect(json).toEqual({ id: "a", count: 42, tags: ["x"], label: "unnamed", big: "-9223372036854775808" });
  });

  it("a struct from the included file, through an inherited method", async () => {
    const printed = await redisCli("--raw", "CALL", "Echo.stamp", '{"at":"9223372036854775807","by":"me"}');
    expect(JSON.parse(printed)).toEqual({ at: "9223372036854775807", by: "me" });
  });

  it("a declared exception prints as (error) with its name and message", async () => {
    expect(await redisCli("CALL", "Echo.find", "-5")).toBe("(error) NotFound no entry -5\n");
    expect(await redisCli("CALL", "Echo.find", "5")).toBe('"entry 5"\n');
  });

  it("bad arguments and unknown methods print as errors naming the problem", async () => {
    expect(await redisCli("CALL", "Echo.add", "1", "two")).toMatch(/^\(error\) INVALID_ARGUMENT Echo\.add: argument 'b' \(i32\)/);
    expect(await redisCli("CALL", "Echo.nope")).toMatch(/^\(error\) UNIMPLEMENTED .*Echo\.nope/);
  });

  it("with -3 (RESP3): a struct prints as a map, a set as a set, a double and a bool natively", async () => {
    expect(await redisCli("-3", "CALL", "Echo.echoDefaults", '{"id":"a","tags":["x"]}')).toBe(
      '1# "id" => "a"\n2# "count" => (integer) 42\n3# "tags" => 1) "x"\n4# "label" => "unnamed"\n',
    );
    expect(await redisCli("-3", "CALL", "Echo.echoSet", '["a","b"]')).toBe('1~ "a"\n2~ "b"\n');
    expect(await redisCli("-3", "CALL", "Echo.echoDouble", "0.5")).toBe("(double) 0.5\n");
    expect(await redisCli("-3", "CALL", "Echo.echoBool", "false")).toBe("(false)\n");
  });

  it("after RPC.ERRORS JSON, a declared exception carries its fields as JSON", async () => {
    const printed = await redisCliScript("RPC.ERRORS JSON\nCALL Echo.find -3\n");
    // Raw mode (stdin is not a terminal) prints an error reply followed by an empty line.
    expect(printed.trimEnd().split("\n")).toEqual(["OK", 'NotFound {"message":"no entry -3","key":"-3","tried":["cache","disk"]}']);
  });
});

/** Feeds commands to redis-cli on stdin, one per line, on one connection; returns what it printed. */
function redisCliScript(commands: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile("redis-cli", ["-p", String(running.port)], { timeout: 20_000 }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
    child.stdin!.end(commands);
  });
}
