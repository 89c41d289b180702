import { MessageChannel, type MessagePort } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import type { TypeDescriptor } from "@rpcgen/runtime";
import { prepareTransfer, typeHoldsBinary } from "../../runtime/offload/transferables.js";
import { Cleanup } from "../runtime/transport/harness.js";
import { startWorkServer, workHandlersModule } from "./offload-harness.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** Posts `value` through a real MessageChannel with `transfer`, and returns what arrives. */
async function roundTrip(value: unknown, transfer: ArrayBuffer[]): Promise<unknown> {
  const { port1, port2 } = new MessageChannel();
  cleanup.add(() => {
    port1.close();
    port2.close();
  });
  const received = new Promise((resolve) => (port2 as MessagePort).once("message", resolve));
  port1.postMessage(value, transfer);
  return received;
}

describe("moving Uint8Arrays between threads", () => {
  it("moves a Uint8Array that spans its buffer: the receiver gets the bytes, the sender's copy is emptied", async () => {
    const bytes = new Uint8Array(64 * 1024).fill(9);
    const values: unknown[] = [bytes];
    const transfer: ArrayBuffer[] = [];
    prepareTransfer(values, transfer);
    expect(values[0]).toBe(bytes);
    expect(transfer).toEqual([bytes.buffer]);
    const [received] = (await roundTrip(values, transfer)) as [Uint8Array];
    expect(received.byteLength).toBe(64 * 1024);
    expect(received[100]).toBe(9);
    expect(bytes.byteLength).toBe(0);
  });

  it("replaces a view into a larger buffer by a compact copy, leaving the original intact", async () => {
    const backing = new Uint8Array(8192).fill(1);
    const view = backing.subarray(100, 110).fill(5);
    const pooled = Buffer.from("pooled"); // a slice of Node's shared 8 KiB pool
    const record = { nested: [view], byKey: new Map([["k", pooled]]) };
    const values: unknown[] = [record];
    const transfer: ArrayBuffer[] = [];
    prepareTransfer(values, transfer);
    expect(record.nested[0]).not.toBe(view);
    expect(record.nested[0]!.buffer.byteLength).toBe(10);
    expect(record.byKey.get("k")!.buffer.byteLength).toBe(6);
    expect(transfer).toHaveLength(2);
    const [received] = (await roundTrip(values, transfer)) as [typeof record];
    expect([...received.nested[0]!]).toEqual(Array(10).fill(5));
    expect(Buffer.from(received.byKey.get("k")!).toString()).toBe("pooled");
    // Only the copies moved: the original buffers still hold their bytes.
    expect(backing.byteLength).toBe(8192);
    expect(pooled.toString()).toBe("pooled");
  });

  it("tells from a descriptor whether a value can hold a binary, recursive structs included", () => {
    const fields: { id: number; name: string; jsName: string; protoNumber: number; type: TypeDescriptor; requiredness: "default" }[] = [];
    const tree = { name: "t.Tree", kind: "struct" as const, fields };
    fields.push({ id: 1, name: "children", jsName: "children", protoNumber: 1, type: { kind: "list", element: { kind: "struct", struct: () => tree } }, requiredness: "default" });
    expect(typeHoldsBinary({ kind: "struct", struct: () => tree })).toBe(false);
    fields.push({ id: 2, name: "blob", jsName: "blob", protoNumber: 2, type: { kind: "map", key: { kind: "string" }, value: { kind: "binary" } }, requiredness: "default" });
    expect(typeHoldsBinary({ kind: "list", element: { kind: "struct", struct: () => tree } })).toBe(true);
  });

  it("carries a 1 MiB binary argument and result through an offloaded method", async () => {
    const work = await startWorkServer(cleanup, { threads: 1, services: { Work: workHandlersModule }, methods: { "Work.reverse": workHandlersModule } });
    const data = new Uint8Array(1024 * 1024);
    for (let i = 0; i < data.length; i++) data[i] = i % 251;
    const reversed = (await work.call("reverse", [data])) as Uint8Array;
    expect(reversed.byteLength).toBe(data.byteLength);
    expect(reversed[0]).toBe(data[data.length - 1]);
    expect(reversed[data.length - 1]).toBe(data[0]);
    expect(Buffer.compare(Buffer.from(reversed).reverse(), Buffer.from(data))).toBe(0);
  });
});
