/**
 * 10,000 calls in flight at once on one connection, through a generated
 * client: every one completes with its own result, though the handler finishes
 * them out of order (binary frames match replies by request id; RESP pipelines
 * and answers in request order).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CallContext } from "@rpcgen/runtime";
import { type GeneratedModule, type GeneratedStubs, generateStubs } from "./support/generated-stubs.js";
import { type RunningServer, openInvoker, startServer, transportNames } from "./support/transports.js";

const callCount = 10_000;

let stubs: GeneratedStubs;
let roundtrip: GeneratedModule;
let running: RunningServer;
/** The client address (`host:port`) of every call: one address means one connection. */
const peers = new Set<string>();

beforeAll(async () => {
  stubs = await generateStubs("concurrency", "roundtrip.thrift");
  roundtrip = await stubs.load("roundtrip");
  const methods: Record<string, (...args: never[]) => unknown> = {
    // Every third call waits a turn of the event loop, so the answers finish out of order.
    add: async (a: number, b: number, context: CallContext) => {
      peers.add(context.peer);
      if (a % 3 === 0) await new Promise((resolve) => setImmediate(resolve));
      return a + b;
    },
    echoI64: (v: bigint, context: CallContext) => {
      peers.add(context.peer);
      return v;
    },
  };
  // Only `add` and `echoI64` are called here; every other Echo method is a no-op.
  const handler = new Proxy(methods, {
    get: (target, key) => (typeof key === "string" && key in target ? target[key] : () => undefined),
    has: () => true,
  });
  // Default server limits: past maxInFlightPerConnection (1000) calls wait their turn, none is refused.
  running = await startServer((server) => roundtrip["registerEcho"](server, handler));
});

afterAll(async () => {
  await running?.server.close({ graceMs: 1000 });
  stubs?.dispose();
});

describe.each(transportNames)("over %s", (transport) => {
  it(`${callCount} concurrent calls on one connection all complete with the right result`, async () => {
    peers.clear();
    const invoker = openInvoker(transport, running.port);
    try {
      const client = new roundtrip["EchoClient"](invoker);
      const calls: Promise<unknown>[] = [];
      for (let i = 0; i < callCount; i++) {
        if (i % 2 === 0) calls.push(client.add(i, 1_000_000));
        else calls.push(client.echoI64(BigInt(i) * 1_000_000_007n));
      }
      const results = await Promise.all(calls);
      expect(results).toHaveLength(callCount);
      let wrong = 0;
      for (let i = 0; i < callCount; i++) {
        const expected = i % 2 === 0 ? i + 1_000_000 : BigInt(i) * 1_000_000_007n;
        if (results[i] !== expected) wrong++;
      }
      expect(wrong).toBe(0);
      expect(peers.size).toBe(1);
    } finally {
      await invoker.close();
    }
  });
});
