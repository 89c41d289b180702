import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CallContext, type CallOptions, DeclaredException, type Invoker, type MethodDescriptor, type ServiceRegistrar, ValidationError } from "@rpcgen/runtime";
import { ServiceTable } from "@rpcgen/runtime/internal/server/service-table.js";
import { fixturesDir, generateFrom, scratchDir, writeGenerated } from "./support/generated-dir.js";

// The generated modules are imported at run time, so their shape is only known to the type checker
// through the separate tsc test; here they are plain records.
type Module = Record<string, any>;

const scratch = scratchDir("behavior");
let everything: Module;
let keywords: Module;
let shared: Module;

beforeAll(async () => {
  const files = await generateFrom(["everything.thrift", "keywords.thrift"].map((f) => path.join(fixturesDir, f)));
  writeGenerated(scratch.dir, files);
  everything = await import(path.join(scratch.dir, "everything.ts"));
  keywords = await import(path.join(scratch.dir, "keywords.ts"));
  shared = await import(path.join(scratch.dir, "shared.ts"));
}, 120_000);

afterAll(() => scratch.dispose());

/** An Invoker that records calls and answers with a fixed value, as a transport would. */
class RecordingInvoker implements Invoker {
  readonly calls: { method: MethodDescriptor; args: readonly unknown[]; options: CallOptions | undefined }[] = [];
  constructor(private readonly answer: unknown) {}
  invoke(method: MethodDescriptor, args: readonly unknown[], options?: CallOptions): Promise<unknown> {
    this.calls.push({ method, args, options });
    return Promise.resolve(this.answer);
  }
}

/** The ServiceRegistrar view of a real ServiceTable, as a server exposes it. */
function registrarOf(table: ServiceTable): ServiceRegistrar {
  return { addService: (service, handler) => table.add(service, handler) };
}

function validationMessage(run: () => void): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as Error).message;
  }
  throw new Error("expected a ValidationError");
}

describe("struct factories", () => {
  it("apply IDL defaults to fields left out and keep the ones given", () => {
    const work = everything["createWork"]({ num2: 5, op: everything["Operation"].DIVIDE });
    expect(work.num1).toBe(0);
    expect(work.num2).toBe(5);
    expect(work.op).toBe(11);
    expect(work.flag).toBe(true);
    expect(work.counters).toEqual(new Map([["hits", 3n]]));
    expect("comment" in work).toBe(false);
  });

  it("give every object its own copy of a container default", () => {
    const a = everything["createWork"]({ num2: 1 });
    const b = everything["createWork"]({ num2: 1 });
    a.counters.set("hits", 4n);
    expect(b.counters.get("hits")).toBe(3n);
  });

  it("apply a union-typed default, which is a union value", () => {
    const expected = { work: { num1: 1, num2: 2, op: 1, counters: new Map([["hits", 3n]]), flag: true } };
    expect(everything["createWithChoice"]({}).choice).toEqual(expected);
    expect(everything["WithChoiceDescriptor"].fields[0].defaultValue()).toEqual(expected);
  });

  it("are used for struct constants", () => {
    expect(everything["SAMPLE_WORK"]).toMatchObject({ num1: 1, num2: 2, op: 1, flag: true });
  });
});

describe("constants", () => {
  it("keep i64 values exact as bigint literals", () => {
    expect(everything["MAX_I64"]).toBe(9223372036854775807n);
    expect(everything["MIN_I64"]).toBe(-9223372036854775808n);
    expect(everything["ABOVE_SAFE"]).toBe(9007199254740993n);
    expect(everything["BIG_LIST"]).toEqual([9223372036854775807n, -9223372036854775808n, 0n]);
  });

  it("have the declared JavaScript types", () => {
    expect(everything["HEX"]).toBe(2147483647);
    expect(everything["LEADING_ZERO"]).toBe(85.2355);
    expect(everything["GREETING"]).toBe('hello "world"\n\ttab');
    expect(everything["MAGIC"]).toEqual(new Uint8Array([114, 112, 99]));
    expect(everything["ID"]).toBe("00112233-4455-6677-8899-aabbccddeeff");
    expect(everything["TAGS"]).toEqual(new Set(["a", "b"]));
    expect(everything["NAMES"]).toEqual(new Map([[1, "add"], [10, "multiply"]]));
    expect(everything["DEFAULT_OP"]).toBe(10);
    expect(everything["NESTED"]).toEqual(new Map([["x", [new Map([["a", 1n]])]]]));
  });
});

describe("enums", () => {
  it("map names to values and back, with a descriptor for the codecs", () => {
    const Operation = everything["Operation"];
    expect(Operation.SUBTRACT).toBe(2);
    expect(Operation[11]).toBe("DIVIDE");
    expect(Operation.LEGACY).toBe(-3);
    expect(everything["OperationDescriptor"]).toEqual({
      name: "everything.Operation",
      values: { ADD: 1, SUBTRACT: 2, MULTIPLY: 10, DIVIDE: 11, LEGACY: -3 },
    });
  });
});

describe("struct validators", () => {
  it("accept a valid value", () => {
    expect(() => everything["validateWork"](everything["createWork"]({ num2: 1 }))).not.toThrow();
  });

  it("name the full path of a value of the wrong type", () => {
    const value = { num1: 1, num2: 2, groups: new Map([["g", [{ key: 1 }, { key: "x" }]]]) };
    expect(validationMessage(() => everything["validateWork"](value, "work"))).toBe(
      'work.groups["g"][1].key: expected i32 (a number), got string',
    );
  });

  it("name a missing required field", () => {
    expect(validationMessage(() => everything["validateWork"]({ num1: 1 }))).toBe("Work.num2: required field is missing");
  });

  it("report every problem, with INVALID_ARGUMENT", () => {
    let caught: unknown;
    try {
      everything["validateTree"]({ label: 3, children: [{ label: "a" }, { children: "no" }] }, "tree");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    const error = caught as ValidationError;
    expect(error.code).toBe("INVALID_ARGUMENT");
    expect(error.issues).toEqual([
      { path: "tree.label", message: "expected string, got number" },
      { path: "tree.children[1].label", message: "required field is missing" },
      { path: "tree.children[1].children", message: "expected list (an Array), got string" },
    ]);
  });

  it("check i64 representations and integer ranges", () => {
    const bad = { num1: 2 ** 31, num2: 1, exact: 5n, createdAt: 1.5, samples: [1] };
    expect(validationMessage(() => everything["validateWork"](bad, "w")).split("; ")).toEqual([
      "w.num1: expected i32 (an integer in -2147483648..2147483647), got 2147483648",
      "w.createdAt: expected i64 (a safe integer number), got 1.5",
      "w.exact: expected i64 (a decimal string), got bigint",
      "w.samples[0]: expected i64 (a bigint), got number",
    ]);
  });
});

describe("unions", () => {
  it("accept exactly one field", () => {
    expect(() => everything["validateValue"]({ text: "a" })).not.toThrow();
    expect(() => everything["validateValue"]({ items: [{ number: 1n }, { work: { num1: 1, num2: 2 } }] })).not.toThrow();
  });

  it("reject none or several fields", () => {
    expect(validationMessage(() => everything["validateValue"]({}))).toBe(
      "Value: expected exactly one field of union everything.Value to be set, but none is",
    );
    expect(validationMessage(() => everything["validateValue"]({ text: "a", number: 1n }, "v"))).toBe(
      "v: expected exactly one field of union everything.Value to be set, but 2 are (text, number)",
    );
  });
});

describe("exceptions", () => {
  it("are DeclaredException subclasses told apart with instanceof, named after the IDL", () => {
    const error = new everything["DivideByZero"]({ message: "divide by zero", dividend: 7 });
    expect(error).toBeInstanceOf(everything["DivideByZero"]);
    expect(error).toBeInstanceOf(DeclaredException);
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(everything["Awkward"]);
    expect(error.name).toBe("DivideByZero");
    expect(error.message).toBe("divide by zero");
    expect(error.dividend).toBe(7);
    expect(error.op).toBe(everything["Operation"].DIVIDE);
    expect(String(error)).toBe("DivideByZero: divide by zero");
  });

  it("rename fields that collide with Error's members, and record it in jsName", () => {
    const error = new everything["Awkward"]({ message_: 3, name_: "n", stack_: "s", code: 1 });
    expect(error.name).toBe("Awkward");
    expect(error.message_).toBe(3);
    expect(error.name_).toBe("n");
    const fields = everything["AwkwardDescriptor"].fields.map((f: any) => [f.name, f.jsName]);
    expect(fields).toEqual([["message", "message_"], ["name", "name_"], ["stack", "stack_"], ["code", "code"]]);
  });

  it("carry a message: the message field, else a summary of their scalar fields", () => {
    expect(new everything["NotFound"]({ resource: "users/7" }).message).toBe("resource: users/7, code: 404");
    expect(String(new everything["NotFound"]({ resource: "x", code: 410 }))).toBe("NotFound: resource: x, code: 410");
    expect(new everything["Awkward"]({ message_: 3, code: 1 }).message).toBe(
      "message: 3, name: undefined, stack: undefined, code: 1",
    );
    expect(new everything["Empty"]().message).toBe("");
  });

  it("can be rebuilt by a codec through exceptionClass", () => {
    const descriptor = everything["DivideByZeroDescriptor"];
    const rebuilt = new descriptor.exceptionClass({ dividend: 1 });
    expect(rebuilt).toBeInstanceOf(everything["DivideByZero"]);
    expect(() => everything["validateDivideByZero"](rebuilt)).not.toThrow();
    expect(validationMessage(() => everything["validateDivideByZero"](new everything["DivideByZero"]({} as never)))).toBe(
      "DivideByZero.dividend: required field is missing",
    );
  });
});

describe("service descriptors", () => {
  it("describe methods, results, hints and the version", () => {
    const service = everything["CalculatorService"];
    expect(service.name).toBe("Calculator");
    expect(service.qualifiedName).toBe("everything.Calculator");
    expect(service.version).toBe("1.2.0");
    expect(service.parent).toBe(shared["SharedServiceService"]);
    const calculate = service.methods.calculate;
    expect(calculate.fullName).toBe("Calculator.calculate");
    expect(calculate.args.fields.map((f: any) => [f.id, f.name])).toEqual([[1, "logid"], [2, "w"]]);
    expect(calculate.result.fields.map((f: any) => [f.id, f.name, f.protoNumber])).toEqual([
      [0, "success", 100000],
      [1, "ouch", 1],
      [2, "awk", 2],
    ]);
    expect(calculate.result.fields[1].type.struct().exceptionClass).toBe(everything["DivideByZero"]);
    expect(calculate.hints).toEqual({ timeoutMs: 1500, retries: 2, policy: "failtry", routeKey: "logid" });
    expect(service.methods.add.hints).toEqual({ timeoutMs: 250, idempotent: true, retries: 2, policy: "failover" });
    expect(service.methods.zip.oneway).toBe(true);
    expect(service.methods.ping.result.fields).toEqual([]);
  });

  it("include inherited methods under the child's service name", () => {
    const child = everything["ScientificCalculatorService"];
    expect(Object.keys(child.methods)).toEqual(["getStruct", "ping", "add", "calculate", "zip", "echo", "grow", "old", "history", "sqrt"]);
    expect(child.methods.getStruct.fullName).toBe("ScientificCalculator.getStruct");
    expect(child.methods.getStruct.service).toBe("ScientificCalculator");
    expect(child.methods.getStruct.args).toBe(shared["SharedServiceService"].methods.getStruct.args);
    expect(child.parent).toBe(everything["CalculatorService"]);
  });

  it("are complete at run time, though generated code leaves out what equals the default", () => {
    const service = everything["CalculatorService"];
    expect(service.methods.zip).toEqual({
      name: "zip",
      jsName: "zip",
      fullName: "Calculator.zip",
      service: "Calculator",
      oneway: true,
      args: {
        name: "everything.Calculator_zip_args",
        kind: "struct",
        fields: [{ id: 1, name: "note", jsName: "note", protoNumber: 1, type: { kind: "string" }, requiredness: "default" }],
      },
      result: { name: "everything.Calculator_zip_result", kind: "struct", fields: [] },
      hints: { timeoutMs: 1500, retries: 2, policy: "failover" },
      annotations: {},
    });
    expect(service.annotations).toEqual({ version: "1.2.0", "rpc.retries": "2" });
    const base = shared["SharedServiceService"];
    expect(base.version).toBeUndefined();
    expect(base.parent).toBeUndefined();
    expect(base.methods.getStruct.result.fields[0]).toEqual({
      id: 0,
      name: "success",
      jsName: "success",
      protoNumber: 100000,
      type: { kind: "struct", struct: expect.any(Function) },
      requiredness: "optional",
    });
    // An inherited method keeps its parent's hints unless the child's own annotations change them.
    expect(everything["ScientificCalculatorService"].methods.getStruct.hints).toEqual(service.methods.getStruct.hints);
    expect(service.methods.getStruct.hints).toEqual({ timeoutMs: 1500, idempotent: true, retries: 2, policy: "failover" });
    expect(base.methods.getStruct.hints).toEqual({ timeoutMs: 1500, idempotent: true, policy: "failover" });
  });

  it("map field ids to protobuf numbers per docs/PROTO-MAPPING.md", () => {
    const byName = Object.fromEntries(everything["WorkDescriptor"].fields.map((f: any) => [f.name, f.protoNumber]));
    expect(byName["num1"]).toBe(1);
    expect(byName["farAway"]).toBe(60000);
  });
});

describe("clients", () => {
  it("pass the IDL arguments positionally with the method descriptor and the options", async () => {
    const invoker = new RecordingInvoker(42);
    const client = new everything["CalculatorClient"](invoker);
    const options = { timeoutMs: 10 };
    await expect(client.add(1, 2, options)).resolves.toBe(42);
    await expect(client.getStruct(3)).resolves.toBe(42);
    expect(invoker.calls.map((c) => [c.method.fullName, c.args, c.options])).toEqual([
      ["Calculator.add", [1, 2], options],
      ["Calculator.getStruct", [3], undefined],
    ]);
  });

  it("have safe method names for unsafe IDL names, matching jsName", async () => {
    const invoker = new RecordingInvoker(undefined);
    const client = new keywords["Promise_Client"](invoker);
    await client.constructor_({ delete: "x" }, {});
    await client.toString("p");
    await client.delete("t", { delete: "d" }, 3, { routeKey: "k" });
    expect(invoker.calls.map((c) => [c.method.name, c.method.jsName, c.args, c.options])).toEqual([
      ["constructor", "constructor_", [{ delete: "x" }, {}], undefined],
      ["toString", "toString", ["p"], undefined],
      ["delete", "delete", ["t", { delete: "d" }, 3], { routeKey: "k" }],
    ]);
  });
});

describe("handlers and register functions", () => {
  it("register a handler whose methods the runtime finds by jsName", async () => {
    const table = new ServiceTable();
    const handler = {
      getStruct: (key: number) => ({ key }),
      ping: () => undefined,
      add: (a: number, b: number, context: CallContext) => `${a + b} via ${context.method.fullName}`,
      calculate: () => 0n,
      zip: () => undefined,
      echo: (v: unknown) => v,
      grow: (t: unknown) => t,
      old: () => undefined,
      history: () => new Map(),
    };
    everything["registerCalculator"](registrarOf(table), handler);
    const add = table.lookup("Calculator.add")!;
    const context = { method: add.method } as unknown as CallContext;
    // invoke() hands back what the handler returned: here plain values (the dispatch awaits only promises).
    expect(await add.invoke([2, 3], context)).toBe("5 via Calculator.add");
    expect(await table.lookup("Calculator.getStruct")!.invoke([9], context)).toEqual({ key: 9 });
  });

  it("refuse a handler that lacks a method", () => {
    expect(() => keywords["registerPromise_"](registrarOf(new ServiceTable()), { delete: () => undefined })).toThrow(/constructor_/);
  });
});

describe("keyword and global names", () => {
  it("are escaped for bindings and kept as written on the wire", () => {
    expect(keywords["Error_"].typeof).toBe(2);
    expect(keywords["default_"]).toBe(2);
    expect(keywords["Symbol_"]).toBe("symbol");
    expect(keywords["MapDescriptor"].name).toBe("keywords.Map");
    const proto = keywords["MapDescriptor"].fields.find((f: any) => f.name === "__proto__");
    expect(proto.jsName).toBe("__proto___");
    expect(typeof keywords["createMap_"]).toBe("function");
    expect(typeof keywords["createCreateMap"]).toBe("function");
  });

  it("validate structs whose fields are named like Object members", () => {
    const value = keywords["createMap_"]({ delete: "d", constructor: 3, toString: "s", hasOwnProperty: "h", __proto___: "p" });
    expect(() => keywords["validateMap"](value)).not.toThrow();
    expect(validationMessage(() => keywords["validateMap"]({ delete: "d", constructor: 9 }))).toBe(
      "Map.constructor: expected a value of enum keywords.Error, got 9",
    );
  });

  it("build an exception class named constructor", () => {
    const error = new keywords["constructor"]({ message: "m", constructor_: "c", toString_: 1 });
    expect(error.name).toBe("constructor");
    expect(error.message).toBe("m");
    expect(error.constructor_).toBe("c");
    expect(error).toBeInstanceOf(DeclaredException);
  });
});
