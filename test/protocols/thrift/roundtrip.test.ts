/**
 * Every IDL type through the Thrift codec, both ways: the generated LoudEchoClient
 * calls a Server serving the generated LoudEcho, Echo and Base through a
 * ThriftChannel, in every transport/protocol pair. The three services share
 * method names, so calls are multiplexed (`LoudEcho:echoBool`); plain names are
 * refused as ambiguous.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ThriftApplicationError, ThriftChannel } from "@rpcgen/runtime";
import type { GeneratedModule } from "../../e2e/support/generated-stubs.js";
import type { EchoHandler } from "../../e2e/support/echo-handler.js";
import { bytesOf, everyScalar, expectSixteenReceived, i64Max, i64Min, patternBytes, sixteenArguments } from "../../e2e/support/roundtrip-samples.js";
import { type RoundtripServer, startRoundtripServer } from "../../e2e/support/roundtrip-server.js";
import type { RunningServer } from "../../e2e/support/transports.js";
import { thriftPairs } from "./support/thrift-pairs.js";

let served: RoundtripServer;
let roundtrip: GeneratedModule;
let base: GeneratedModule;
let handler: EchoHandler;
let running: RunningServer;

beforeAll(async () => {
  served = await startRoundtripServer("thrift-roundtrip");
  ({ roundtrip, base, handler, running } = served);
});

afterAll(() => served?.stop());

/** A Tree that is a `next` chain of `levels` structs. */
function chain(levels: number): { label: string; next?: unknown } {
  let tree: { label: string; next?: unknown } = { label: "end" };
  for (let i = 1; i < levels; i++) tree = { label: `n${i}`, next: tree };
  return tree;
}

describe.each(thriftPairs)("%s transport, %s protocol", (transport, protocol) => {
  let channel: ThriftChannel;
  let client: any;

  beforeAll(() => {
    channel = new ThriftChannel({ address: running.address, transport, protocol, multiplexed: true, defaultTimeoutMs: 10_000 });
    client = new roundtrip["LoudEchoClient"](channel);
  });
  afterAll(() => channel.close());

  it("bool, byte, i8, i16, i32 at their extremes", async () => {
    expect(await client.echoBool(true)).toBe(true);
    expect(await client.echoBool(false)).toBe(false);
    for (const v of [-128, -1, 0, 127]) {
      expect(await client.echoByte(v)).toBe(v);
      expect(await client.echoI8(v)).toBe(v);
    }
    for (const v of [-32768, -1, 32767]) expect(await client.echoI16(v)).toBe(v);
    for (const v of [-(2 ** 31), 2 ** 31 - 1, 0, -1, 300]) expect(await client.echoI32(v)).toBe(v);
  });

  it("i64 exactly, extremes and every zigzag width included", async () => {
    const values = [
      i64Min,
      i64Max,
      0n,
      -1n,
      1n,
      2n ** 31n,
      -(2n ** 31n) - 1n,
      2n ** 52n,
      -(2n ** 52n),
      2n ** 53n + 1n,
      -(2n ** 53n) - 1n,
    ];
    for (const v of values) expect(await client.echoI64(v)).toBe(v);
  });

  it("double: NaN, signed zeros, infinities, subnormals, extremes", async () => {
    const values = [NaN, 0, -0, Infinity, -Infinity, 5e-324, -5e-324, Number.MAX_VALUE, 0.1, -1.5e300];
    for (const v of values) expect(Object.is(await client.echoDouble(v), v), String(v)).toBe(true);
    const list = await client.echoDoubles(values);
    list.forEach((back: number, i: number) => expect(Object.is(back, values[i]), String(values[i])).toBe(true));
  });

  it("strings: empty, unicode, astral plane, NUL, long; a lone surrogate is refused", async () => {
    for (const v of [
      "",
      "héllo wörld",
      "日本語テキスト",
      "😀 𝄞 𐍈",
      "a\u0000b",
      "x".repeat(42),
      "é".repeat(43),
      "x".repeat(100_000),
    ]) {
      expect(await client.echoString(v)).toBe(v);
    }
    await expect(client.echoString("a\uD800b")).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });

  it("binary: empty, every byte value, 1 MiB", async () => {
    expect(bytesOf(await client.echoBinary(new Uint8Array(0)))).toEqual([]);
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(bytesOf(await client.echoBinary(all))).toEqual(bytesOf(all));
    const mebibyte = patternBytes(1024 * 1024);
    expect(Buffer.from(await client.echoBinary(mebibyte)).equals(Buffer.from(mebibyte))).toBe(true);
  });

  it("uuid (Thrift type 16) and enums", async () => {
    for (const v of [
      "123e4567-e89b-12d3-a456-426614174000",
      "00000000-0000-0000-0000-000000000000",
      "ffffffff-ffff-ffff-ffff-ffffffffffff",
    ]) {
      expect(await client.echoUuid(v)).toBe(v);
    }
    expect(await client.echoUuid("ABCDEF00-0000-0000-0000-00000000000A")).toBe("abcdef00-0000-0000-0000-00000000000a");
    const Color = roundtrip["Color"];
    for (const v of [Color.RED, Color.BLUE, Color.BELOW_ZERO]) expect(await client.echoColor(v)).toBe(v);
  });

  it("lists, sets and maps, empty, short and long (past the compact short forms)", async () => {
    expect(await client.echoList([])).toEqual([]);
    const long = Array.from({ length: 40 }, (_, i) => i * (i % 2 === 0 ? 1 : -100_000));
    expect(await client.echoList(long)).toEqual(long);
    expect(await client.echoSet(new Set(["a", "", "ü"]))).toEqual(new Set(["a", "", "ü"]));
    const emptyMap = await client.echoMap(new Map());
    expect(emptyMap).toBeInstanceOf(Map);
    expect(emptyMap.size).toBe(0);
    const map = new Map([
      ["max", i64Max],
      ["min", i64Min],
      ["", 0n],
    ]);
    expect([...(await client.echoMap(map))]).toEqual([...map]);
    const nested = new Map([
      ["a", [new Set([1, 2, 3]), new Set<number>()]],
      ["empty", []],
    ]);
    expect(await client.echoNested(nested)).toEqual(nested);
    const structKeys = new Map([
      [{ x: 1, y: 2 }, "one-two"],
      [{ x: -1, y: 0 }, "minus"],
    ]);
    expect([...(await client.echoStructKeys(structKeys))]).toEqual([...structKeys]);
  });

  it("a struct of every scalar; an empty struct stays empty", async () => {
    const scalars = everyScalar(roundtrip);
    const back = await client.echoScalars(scalars);
    expect({ ...back, blob: bytesOf(back.blob) }).toEqual({ ...scalars, blob: bytesOf(scalars.blob) });
    expect(await client.echoScalars({ flag: true })).toEqual({ flag: true });
    const empty = await client.echoScalars({});
    expect(Object.keys(empty).filter((key) => empty[key] !== undefined)).toEqual([]);
  });

  it("required, optional and default fields; a missing required field is refused before the call leaves", async () => {
    const full = { id: "x", note: "n", count: 0, tags: [], color: roundtrip["Color"].GREEN, label: "", flag: false, big: 0n };
    expect(await client.echoDefaults(full)).toEqual(full);
    expect(await client.echoDefaults(roundtrip["createDefaults"]({ id: "d" }))).toEqual({ id: "d", count: 42, label: "unnamed" });
    await expect(client.echoDefaults({ note: "no id" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });

  it("unions and recursive structs, up to Thrift's nesting limit of 64", async () => {
    for (const shape of [{ point: { x: 3, y: 4 } }, { radius: 1.5 }, { group: [{ name: "a" }, { group: [{ radius: -0 }] }] }]) {
      expect(await client.echoShape(shape)).toEqual(shape);
    }
    const tree = {
      label: "root",
      children: [
        { label: "a", children: [{ label: "a1" }] },
        { label: "b", next: { label: "b-next" } },
      ],
    };
    expect(await client.echoTree(tree)).toEqual(tree);
    // The args struct is one level, so 63 Trees fit.
    expect(await client.echoTree(chain(63))).toEqual(chain(63));
    await expect(client.echoTree(chain(200))).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
      message: expect.stringMatching(/nested deeper than 64/),
    });
  });

  it("declared exceptions reject as the generated class with every field", async () => {
    const error = await client.find(i64Min).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(roundtrip["NotFound"]);
    expect(error.message).toBe(`no entry ${i64Min}`);
    expect(error.key).toBe(i64Min);
    expect(error.tried).toEqual(["cache", "disk"]);
    const overloaded = await client.find(0n).catch((e: unknown) => e);
    expect(overloaded).toBeInstanceOf(roundtrip["Overloaded"]);
    expect(overloaded.retryAfterMs).toBe(250);
    expect(await client.find(5n)).toBe("entry 5");
  });

  it("void and oneway methods", async () => {
    const key = `touched-${transport}-${protocol}`;
    expect(await client.touch(key)).toBeUndefined();
    expect(handler.touched).toContain(key);
    const event = `event-${transport}-${protocol}`;
    const arrived = handler.notifiedWith(event);
    expect(await client.notify(event)).toBeUndefined();
    await arrived;
  });

  it("sixteen arguments of every kind, with defaults filled in", async () => {
    const args = sixteenArguments(roundtrip);
    expect(await client.many(...args)).toBe("received 16 arguments");
    expectSixteenReceived(handler.lastMany, args);
  });

  it("inherited methods, each service by its own name", async () => {
    expect(await client.add(20, 22)).toBe(42);
    expect(await client.whoAmI()).toBe("roundtrip.LoudEcho");
    expect(await client.shout("hi")).toBe("HI");
    expect(await new roundtrip["EchoClient"](channel).whoAmI()).toBe("roundtrip.Echo");
    expect(await new base["BaseClient"](channel).whoAmI()).toBe("base.Base");
  });

  it("many calls in flight on one connection", async () => {
    const values = Array.from({ length: 500 }, (_, i) => `call ${i}`);
    expect(await Promise.all(values.map((v) => client.echoString(v)))).toEqual(values);
  });
});

describe("plain method names", () => {
  it("a name several registered services have is refused with a pointer to TMultiplexedProtocol", async () => {
    const channel = new ThriftChannel({ address: running.address });
    try {
      const error = await new roundtrip["LoudEchoClient"](channel).echoBool(true).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ThriftApplicationError);
      expect(error).toMatchObject({ code: "UNIMPLEMENTED", thriftType: 1 });
      expect(error.message).toMatch(/served by several services \(.*LoudEcho.*\): call it as <Service>:echoBool/);
      // A name only one service has is found without the service.
      expect(await new roundtrip["LoudEchoClient"](channel).shout("plain")).toBe("PLAIN");
    } finally {
      await channel.close();
    }
  });
});
