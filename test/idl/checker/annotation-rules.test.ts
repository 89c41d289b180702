import { describe, expect, it } from "vitest";
import { loadInMemory, located, messagesOf } from "./in-memory-program.js";

describe("annotations that steer generated code", () => {
  it("reports bad rpc.* hints and ts.type values, as generation would", () => {
    const source = [
      "struct Event { 1: i64 at (ts.type = \"float\") }",
      "service Orders {",
      '  void cancel(1: i64 id) (rpc.policy = "failfoo", rpc.timeout = "soon", rpc.retries = "-1"),',
      '  void find(1: string q) (rpc.idempotent = "yes", rpc.routekey = "id"),',
      '} (rpc.timeout = "0")',
    ].join("\n");
    expect(messagesOf(source, "E_GEN_RPC_ANNOTATION")).toEqual([
      'rpc.policy must be one of failfast, failtry, failover, failsafe, forking, not "failfoo"',
      'rpc.timeout must be a positive number of milliseconds, not "soon"',
      'rpc.retries must be a non-negative integer, not "-1"',
      'rpc.idempotent must be "true" or "false", not "yes"',
      "rpc.routekey must be the name of one of the method's arguments, not \"id\"",
      'rpc.timeout must be a positive number of milliseconds, not "0"',
    ]);
    expect(messagesOf(source, "E_GEN_TS_TYPE")).toEqual(['ts.type must be "bigint", "number" or "string", not "float"']);
  });

  it("knows rpc.offload (worker or inline) and reports any other value", () => {
    const source = [
      "service Math {",
      '  i32 fib(1: i32 n) (rpc.offload = "worker"),',
      '  i32 cheap(1: i32 n) (rpc.offload = "inline"),',
      '  i32 bad(1: i32 n) (rpc.offload = "thread"),',
      "}",
    ].join("\n");
    expect(messagesOf(source, "E_GEN_RPC_ANNOTATION")).toEqual(['rpc.offload must be "worker" or "inline", not "thread"']);
    expect(messagesOf(source, "W_UNKNOWN_RPC_ANNOTATION")).toEqual([]);
  });

  it("checks ts.type wherever generated code reads it", () => {
    const source = [
      'typedef i64 (ts.type = "big") Id',
      'const i64 C = 1 (ts.type = "int")',
      'struct S { 1: list<i64 (ts.type = "long")> xs }',
      'service X { i64 (ts.type = "f") get(1: i64 id (ts.type = "g")) throws (1: E e (ts.type = "h")) }',
      "exception E {}",
    ].join("\n");
    expect(messagesOf(source, "E_GEN_TS_TYPE").map((m) => /not "(\w+)"/.exec(m)![1]).sort()).toEqual([
      "big",
      "f",
      "g",
      "h",
      "int",
      "long",
    ]);
  });

  it("accepts every valid hint, and a service-level routekey any method may lack", () => {
    const source = [
      "service Orders {",
      '  void cancel(1: i64 id) (rpc.policy = "failover", rpc.timeout = "250.5", rpc.retries = "0", rpc.idempotent),',
      '  void find(1: string q) (rpc.idempotent = "false", rpc.routekey = "q"),',
      '} (rpc.routekey = "id", version = "1.0.0")',
      'const i64 SMALL = 9007199254740991 (ts.type = "number")',
    ].join("\n");
    expect(located(loadInMemory({ "main.thrift": source }).diagnostics)).toEqual([]);
  });

  it("warns about an rpc.* key it does not know, suggesting the one meant", () => {
    expect(messagesOf('service S { void f() (rpc.timout = "5") }', "W_UNKNOWN_RPC_ANNOTATION")).toEqual([
      'rpcgen does not know the annotation rpc.timout; it has no effect (did you mean "rpc.timeout"?)',
    ]);
  });
});

describe("i64 constants held as JavaScript numbers", () => {
  const big = "9007199254740993";

  it("are exact or an error, wherever the number representation comes from", () => {
    const source = [
      `const i64 A = ${big} (ts.type = "number")`,
      'typedef i64 (ts.type = "number") Small',
      `struct S { 1: Small s = ${big}, 2: list<i64> xs = [1, ${big}] (ts.type = "number"), 3: i64 fine = ${big} }`,
      `const i64 BIG = ${big}`,
      "const Small REF = BIG",
    ].join("\n");
    const { diagnostics } = loadInMemory({ "main.thrift": source });
    expect(located(diagnostics)).toEqual([
      "main.thrift:1:15 E_GEN_INEXACT_CONST",
      "main.thrift:3:25 E_GEN_INEXACT_CONST",
      "main.thrift:3:65 E_GEN_INEXACT_CONST",
      // A reference is reported where it is used as a number.
      "main.thrift:5:19 E_GEN_INEXACT_CONST",
    ]);
  });

  it("follow the --i64 option when no ts.type says otherwise", () => {
    const source = `const i64 A = ${big}\nconst i64 B = ${big} (ts.type = "string")`;
    const asNumbers = loadInMemory({ "main.thrift": source }, ["main.thrift"], [], { i64: "number" });
    expect(located(asNumbers.diagnostics)).toEqual(["main.thrift:1:15 E_GEN_INEXACT_CONST"]);
    expect(located(loadInMemory({ "main.thrift": source }).diagnostics)).toEqual([]);
  });
});
