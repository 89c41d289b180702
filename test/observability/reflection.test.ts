import { afterEach, describe, expect, it } from "vitest";
import { Channel, RespChannel, ReflectedException, ReflectionService, descriptorsFromReflection, silentLogger, type ReflectionDocument } from "@rpcgen/runtime";
import { Cleanup, httpGet, startCalculator } from "./support.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const describeMethod = ReflectionService.methods["describe"]!;

describe("reflection", () => {
  it("GET / lists the services, methods, argument and result types as JSON", async () => {
    const { port } = await startCalculator(cleanup);
    const { status, type, body } = await httpGet(port, "/");
    expect(status).toBe(200);
    expect(type).toContain("application/json");
    const document = JSON.parse(body) as ReflectionDocument;
    expect(document.services.map((service) => service.name)).toEqual(["Calculator"]);
    const calculator = document.services[0]!;
    expect(calculator).toMatchObject({ qualifiedName: "calculator.Calculator", version: "1.0.0" });
    expect(calculator.methods.map((method) => method.name)).toEqual(["add", "subtract", "multiply", "divide", "log", "calculate"]);
    const calculate = calculator.methods.find((method) => method.name === "calculate")!;
    expect(calculate.args).toEqual([{ id: 1, name: "batch", typeName: "list<Work>", type: { kind: "list", element: { kind: "struct", name: "calculator.Work" } }, requiredness: "default" }]);
    expect(calculate.returnsName).toBe("Report");
    expect(calculate.throws.map((field) => field.typeName)).toEqual(["DivideByZero"]);
    expect(document.types["calculator.Operation"]).toEqual({ kind: "enum", values: { ADD: 1, SUBTRACT: 2, MULTIPLY: 3, DIVIDE: 4 } });
    expect(document.types["calculator.DivideByZero"]?.kind).toBe("exception");
    expect(calculator.methods.find((method) => method.name === "log")).toMatchObject({ oneway: true, returnsName: "void" });
  });

  it("rpcgen.Reflection.describe answers over rpcgen frames and RESP, and is not listed as a service", async () => {
    const { port, address } = await startCalculator(cleanup);
    const channel = new Channel({ address, logger: silentLogger });
    cleanup.add(() => channel.close());
    const resp = new RespChannel({ port });
    cleanup.add(() => resp.close());
    const overFrames = JSON.parse((await channel.invoke(describeMethod, [])) as string) as ReflectionDocument;
    const overResp = JSON.parse((await resp.invoke(describeMethod, [])) as string) as ReflectionDocument;
    expect(overResp).toEqual(overFrames);
    expect(overFrames.services.map((service) => service.name)).toEqual(["Calculator"]);
  });

  it("descriptors rebuilt from reflection call every kind of method, with no generated code", async () => {
    const { address } = await startCalculator(cleanup);
    const channel = new Channel({ address, logger: silentLogger });
    cleanup.add(() => channel.close());
    const document = JSON.parse((await channel.invoke(describeMethod, [])) as string) as ReflectionDocument;
    const [calculator] = descriptorsFromReflection(document);
    const m = calculator!.methods;
    expect(await channel.invoke(m["add"]!, [40, 2])).toBe(42);
    expect(await channel.invoke(m["multiply"]!, [3n, 4n])).toBe(12n);
    const report = (await channel.invoke(m["calculate"]!, [[{ num1: 6, num2: 3, op: 4, comment: "six by three" }]])) as Record<string, unknown>;
    expect(report["results"]).toEqual([2n]);
    expect(report["comments"]).toEqual(new Set(["six by three"]));
    const failure = await channel.invoke(m["divide"]!, [7, 0]).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ReflectedException);
    expect(failure).toMatchObject({ exceptionName: "DivideByZero", fields: { dividend: 7, message: "cannot divide 7 by zero" } });
  });

  it("with reflection off, GET / is 404 and describe is an unknown method", async () => {
    const { port, address } = await startCalculator(cleanup, { observability: { reflection: false } });
    expect((await httpGet(port, "/")).status).toBe(404);
    const channel = new Channel({ address, logger: silentLogger });
    cleanup.add(() => channel.close());
    await expect(channel.invoke(describeMethod, [])).rejects.toMatchObject({ code: "UNIMPLEMENTED" });
  });
});
