import { describe, expect, it } from "vitest";
import { type MethodDescriptor, type ServiceDescriptor, type StructDescriptor } from "@rpcgen/runtime";
import { ServiceTable } from "@rpcgen/runtime/internal/server/service-table.js";

const empty: StructDescriptor = { name: "t.Empty", kind: "struct", fields: [] };

function method(name: string): MethodDescriptor {
  return {
    name,
    jsName: name,
    fullName: `Svc.${name}`,
    service: "Svc",
    oneway: false,
    args: empty,
    result: empty,
    hints: {},
    annotations: {},
  };
}

const service: ServiceDescriptor = {
  name: "Svc",
  qualifiedName: "t.Svc",
  version: undefined,
  parent: undefined,
  methods: { toString: method("toString"), ping: method("ping") },
  annotations: {},
};

describe("ServiceTable", () => {
  it("refuses a handler that lacks a method, even one named like an Object.prototype member", () => {
    const table = new ServiceTable();
    expect(() => table.add(service, { ping: () => undefined })).toThrow(/lacks method\(s\): toString/);
  });

  it("registers every method by its wire name and calls the handler with the context last", async () => {
    const table = new ServiceTable();
    const seen: unknown[] = [];
    table.add(service, {
      toString: () => "mine",
      ping: (...args: unknown[]) => {
        seen.push(...args);
        return "pong";
      },
    });
    const entry = table.lookup("Svc.ping");
    expect(entry?.method.name).toBe("ping");
    const context = { peer: "test" } as never;
    expect(entry!.invoke([1, 2], context)).toBe("pong");
    expect(seen).toEqual([1, 2, context]);
    expect(table.lookup("Svc.missing")).toBeUndefined();
  });

  it("hands back what the handler returned or threw, for the dispatch to settle", () => {
    const table = new ServiceTable();
    const later = Promise.resolve("later");
    table.add(service, {
      toString: () => "x",
      ping: (mode: string) => {
        if (mode === "async") return later;
        throw new Error("boom");
      },
    });
    const entry = table.lookup("Svc.ping")!;
    expect(entry.invoke(["async"], {} as never)).toBe(later);
    expect(() => entry.invoke(["throw"], {} as never)).toThrow("boom");
  });

  it("refuses the same service twice", () => {
    const table = new ServiceTable();
    const handler = { toString: () => "x", ping: () => "y" };
    table.add(service, handler);
    expect(() => table.add(service, handler)).toThrow(/already registered/);
  });
});
