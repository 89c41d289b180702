/**
 * i64 in every JavaScript representation through generated stubs: the fixture
 * is generated with `--i64 number`, with `ts.type = "string"` on a typedef and
 * `ts.type = "bigint"` on one field, and every transport must carry each one exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GeneratedModule, type GeneratedStubs, generateStubs } from "./support/generated-stubs.js";
import { type ClosableInvoker, type RunningServer, openInvoker, startServer, transportNames } from "./support/transports.js";

let stubs: GeneratedStubs;
let reprs: GeneratedModule;
let running: RunningServer;
/** The same IDL generated with the default `--i64 bigint`, for a server whose i64s reach past 2^53. */
let bigintStubs: GeneratedStubs;
let bigintServer: RunningServer;
/** What the handler received last, to check the representation on the server side too. */
let received: unknown;

beforeAll(async () => {
  stubs = await generateStubs("i64-repr", "i64-repr.thrift", { i64: "number" });
  reprs = await stubs.load("i64-repr");
  const echo = (value: unknown): unknown => {
    received = value;
    return value;
  };
  running = await startServer((server) => reprs["registerReprs"](server, { echoNumber: echo, echoString: echo, echoIds: echo }));
  bigintStubs = await generateStubs("i64-repr-bigint", "i64-repr.thrift");
  const bigintReprs = await bigintStubs.load("i64-repr");
  bigintServer = await startServer((server) =>
    bigintReprs["registerReprs"](server, {
      echoNumber: (v: bigint) => v * 1024n,
      echoString: (v: string) => v,
      echoIds: (v: object) => ({ ...v, numbers: [1n, 2n ** 60n] }),
    }),
  );
});

afterAll(async () => {
  await running?.server.close({ graceMs: 1000 });
  await bigintServer?.server.close({ graceMs: 1000 });
  stubs?.dispose();
  bigintStubs?.dispose();
});

describe.each(transportNames)("over %s", (transport) => {
  let invoker: ClosableInvoker;
  let client: any;

  beforeAll(() => {
    invoker = openInvoker(transport, running.port);
    client = new reprs["ReprsClient"](invoker);
  });
  afterAll(() => invoker.close());

  it("i64 as number: the safe-integer extremes, as numbers on both sides", async () => {
    for (const v of [Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 0, -1]) {
      expect(await client.echoNumber(v)).toBe(v);
      expect(received).toBe(v);
    }
  });

  it("i64 as number refuses a value that is not an integer", async () => {
    await expect(client.echoNumber(1.5)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });

  it("i64 as string (ts.type on a typedef): the full 64-bit range, as decimal strings", async () => {
    for (const v of ["-9223372036854775808", "9223372036854775807", "0", "9007199254740993"]) {
      expect(await client.echoString(v)).toBe(v);
      expect(received).toBe(v);
    }
  });

  it("each field keeps its own representation inside a struct and a list", async () => {
    const ids = {
      asNumber: -9007199254740991,
      asString: "-9223372036854775808",
      asBigint: 2n ** 63n - 1n,
      numbers: [1, Number.MAX_SAFE_INTEGER],
      strings: ["9223372036854775807", "-1"],
    };
    expect(await client.echoIds(ids)).toEqual(ids);
    expect(received).toEqual(ids);
  });

  it("a number i64 that the peer (generated with bigint) sends past 2^53 fails loudly, never rounded", async () => {
    const peerInvoker = openInvoker(transport, bigintServer.port);
    const numberClient = new reprs["ReprsClient"](peerInvoker);
    try {
      await expect(numberClient.echoNumber(2 ** 50)).rejects.toMatchObject({
        code: "INTERNAL",
        message: expect.stringContaining("1152921504606846976"),
      });
      await expect(numberClient.echoIds({})).rejects.toMatchObject({
        code: "INTERNAL",
        message: expect.stringContaining("numbers[1]"),
      });
      // A value that fits still comes back.
      expect(await numberClient.echoNumber(-3)).toBe(-3072);
    } finally {
      await peerInvoker.close();
    }
  });
});
