/**
 * Deadlines, cancellation and handler failures through generated stubs over
 * real TCP, for each transport.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RpcError } from "@rpcgen/runtime";
import { type GeneratedModule, type GeneratedStubs, generateStubs } from "./support/generated-stubs.js";
import { ControlHandler } from "./support/control-handler.js";
import { type ClosableInvoker, type RunningServer, openInvoker, startServer, transportNames } from "./support/transports.js";

let stubs: GeneratedStubs;
let control: GeneratedModule;
let handler: ControlHandler;
let running: RunningServer;

beforeAll(async () => {
  stubs = await generateStubs("control", "control.thrift");
  control = await stubs.load("control");
  handler = new ControlHandler(control);
  running = await startServer((server) => control["registerControl"](server, handler));
});

afterAll(async () => {
  await running?.server.close({ graceMs: 1000 });
  stubs?.dispose();
});

async function rejection(promise: Promise<unknown>): Promise<RpcError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(RpcError);
  return error as RpcError;
}

describe.each(transportNames)("over %s", (transport) => {
  let invoker: ClosableInvoker;
  let client: any;
  const framed = transport !== "resp";

  beforeAll(() => {
    invoker = openInvoker(transport, running.port);
    client = new control["ControlClient"](invoker);
  });
  afterAll(() => invoker.close());

  it(framed ? "carries the deadline to the handler" : "has no deadline to carry (RESP cannot send one)", async () => {
    const before = Date.now();
    const seen: bigint = await client.deadlineSeen({ timeoutMs: 60_000 });
    const after = Date.now();
    if (framed) {
      // The server counts the remaining time from the moment the frame arrived.
      expect(Number(seen)).toBeGreaterThanOrEqual(before + 60_000 - 1);
      expect(Number(seen)).toBeLessThanOrEqual(after + 60_000);
    } else {
      expect(seen).toBe(-1n);
    }
  });

  it("sends no deadline when timeoutMs is 0", async () => {
    expect(await client.deadlineSeen({ timeoutMs: 0 })).toBe(-1n);
  });

  it.each([0, Infinity])("timeoutMs %s means no deadline: the call waits as long as the handler takes", async (timeoutMs) => {
    const tag = `no-deadline-${timeoutMs}-${transport}`;
    const call = client.waitForAbort(tag, { timeoutMs });
    await handler.started(tag);
    handler.release(tag);
    expect(await call).toBe("released");
    expect(await client.deadlineSeen({ timeoutMs })).toBe(-1n);
  });

  it("rejects with DEADLINE_EXCEEDED at the client, and aborts the handler's signal with it", async () => {
    const tag = `deadline-${transport}`;
    const error = await rejection(client.waitForAbort(tag, { timeoutMs: 50 }));
    expect(error.code).toBe("DEADLINE_EXCEEDED");
    if (framed) {
      // The server's own deadline timer and the cancel frame the client sends when its
      // timer fires race each other; either way the handler is told to stop.
      expect(["DEADLINE_EXCEEDED", "CANCELLED"]).toContain(await client.abortReason(tag));
    } else {
      handler.release(tag);
      expect(await client.abortReason(tag)).toBe("released");
    }
  });

  it("rejects with CANCELLED when the caller's AbortSignal fires, and aborts the handler's signal", async () => {
    const tag = `cancel-${transport}`;
    const controller = new AbortController();
    const call = rejection(client.waitForAbort(tag, { signal: controller.signal, timeoutMs: 0 }));
    // Abort only once the handler runs, so the cancel happens mid-call rather than before sending.
    await handler.started(tag);
    controller.abort();
    expect((await call).code).toBe("CANCELLED");
    if (framed) {
      // The client sends a cancel frame: the handler's signal aborts with CANCELLED.
      expect(await client.abortReason(tag)).toBe("CANCELLED");
    } else {
      // RESP has no way to tell the server the caller gave up: end the handler here.
      handler.release(tag);
      expect(await client.abortReason(tag)).toBe("released");
    }
    // The connection is still good.
    expect(await client.twice(4)).toBe(8);
  });

  it("rejects at once with CANCELLED when the signal is already aborted", async () => {
    const error = await rejection(client.twice(1, { signal: AbortSignal.abort() }));
    expect(error.code).toBe("CANCELLED");
  });

  it(framed ? "carries call metadata to the handler" : "carries call metadata to the handler (RPC.METADATA before the call)", async () => {
    const metadata = { "trace-id": "abc-123", tenant: "ünï" };
    const seen: Map<string, string> = await client.metadataSeen({ metadata });
    expect(Object.fromEntries(seen)).toEqual(metadata);
    // Over RESP the metadata is for that one call only.
    expect(Object.fromEntries(await client.metadataSeen())).toEqual({});
  });

  it("a declared exception rejects as the generated class", async () => {
    const error = await client.fail("declared").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(control["Refused"]);
    expect(error).not.toBeInstanceOf(RpcError);
    expect(error.message).toBe("not today");
    expect(error.reason).toBe(7);
  });

  it("an RpcError thrown by the handler keeps its code and message", async () => {
    const error = await rejection(client.fail("rpc"));
    expect(error.code).toBe("PERMISSION_DENIED");
    expect(error.message).toContain("members only");
  });

  it("an undeclared error becomes INTERNAL and its message stays on the server", async () => {
    const error = await rejection(client.fail("plain"));
    expect(error.code).toBe("INTERNAL");
    expect(error.message).not.toContain("hunter2");
    expect(error.message).not.toContain("secret");
    expect(await client.twice(5)).toBe(10);
  });
});
