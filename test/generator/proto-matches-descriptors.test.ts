import path from "node:path";
import protobuf from "protobufjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StructDescriptor } from "@rpcgen/runtime";
import { fixturesDir, generateFrom, scratchDir, writeGenerated } from "./support/generated-dir.js";

// The generated module is imported at run time; its exports are checked by the tsc test.
type Module = Record<string, any>;

const scratch = scratchDir("proto");
let root: protobuf.Root;
let everything: Module;

beforeAll(async () => {
  writeGenerated(scratch.dir, await generateFrom([path.join(fixturesDir, "everything.thrift")]));
  root = new protobuf.Root();
  root.resolvePath = (_origin, target) => path.join(scratch.dir, target);
  root.loadSync("everything.proto", { keepCase: true });
  root.resolveAll();
  everything = await import(path.join(scratch.dir, "everything.ts"));
}, 120_000);

afterAll(() => scratch.dispose());

function expectSameNumbers(message: protobuf.Type, descriptor: StructDescriptor): void {
  const protoFields = Object.fromEntries(message.fieldsArray.map((f) => [f.name, f.id]));
  const expected = Object.fromEntries(descriptor.fields.map((f) => [f.name, f.protoNumber]));
  expect(protoFields, `${descriptor.name}`).toEqual(expected);
}

describe("the generated .proto and the descriptors", () => {
  it("number every struct, union and exception field alike", () => {
    for (const name of ["Work", "Tree", "Value", "Lonely", "DivideByZero", "Awkward", "Empty"]) {
      expectSameNumbers(root.lookupType(`everything.${name}`), everything[`${name}Descriptor`]);
    }
  });

  it("number every method's args and result alike", () => {
    const service = everything["ScientificCalculatorService"];
    for (const method of Object.values<any>(everything["CalculatorService"].methods)) {
      if (method.service !== "Calculator" || method.name === "getStruct") continue;
      expectSameNumbers(root.lookupType(`everything.Calculator_${method.name}_args`), method.args);
      expectSameNumbers(root.lookupType(`everything.Calculator_${method.name}_result`), method.result);
    }
    expectSameNumbers(root.lookupType("everything.ScientificCalculator_sqrt_args"), service.methods.sqrt.args);
  });

  it("give scalars explicit presence and unions and results a oneof", () => {
    const work = root.lookupType("everything.Work");
    // protobufjs models proto3 `optional` as a synthetic one-member oneof named `_<field>`.
    expect(work.fields["num1"]!.partOf?.name).toBe("_num1");
    expect(work.fields["counters"]!.resolvedType?.name).toBe("Map_string_i64");
    expect(root.lookupType("everything.Value").oneofsArray.map((o) => o.name)).toEqual(["value"]);
    const result = root.lookupType("everything.Calculator_calculate_result");
    expect(result.oneofsArray.map((o) => [o.name, o.oneof])).toEqual([["outcome", ["success", "ouch", "awk"]]]);
  });

  it("round-trips a value encoded by protobufjs from the .proto", () => {
    const args = root.lookupType("everything.Calculator_add_args");
    const bytes = args.encode(args.fromObject({ num1: 0, num2: 7 })).finish();
    // Explicit presence: a zero is still written (tag 1, value 0), then field 2.
    expect([...bytes]).toEqual([0x08, 0x00, 0x10, 0x07]);
  });
});
