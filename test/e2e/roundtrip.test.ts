/**
 * Every IDL type through generated stubs over real TCP: a generated EchoClient
 * calls a Server serving a generated LoudEcho handler, over binary frames with
 * the binary codec, binary frames with the JSON codec, and RESP.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Channel, silentLogger } from "@rpcgen/runtime";
import type { GeneratedModule } from "./support/generated-stubs.js";
import type { EchoHandler } from "./support/echo-handler.js";
import { bytesOf, everyScalar, expectSixteenReceived, i64Max, i64Min, patternBytes, sixteenArguments } from "./support/roundtrip-samples.js";
import { type RoundtripServer, startRoundtripServer } from "./support/roundtrip-server.js";
import { type ClosableInvoker, type RunningServer, openInvoker, startServer, transportNames } from "./support/transports.js";

let served: RoundtripServer;
let roundtrip: GeneratedModule;
let base: GeneratedModule;
let handler: EchoHandler;
let running: RunningServer;

beforeAll(async () => {
  served = await startRoundtripServer("roundtrip");
  ({ roundtrip, base, handler, running } = served);
});

afterAll(() => served?.stop());

describe.each(transportNames)("over %s", (transport) => {
  let invoker: ClosableInvoker;
  let client: any;

  beforeAll(() => {
    invoker = openInvoker(transport, running.port);
    client = new roundtrip["LoudEchoClient"](invoker);
  });
  afterAll(() => invoker.close());

  it("bool", async () => {
    expect(await client.echoBool(true)).toBe(true);
    expect(await client.echoBool(false)).toBe(false);
  });

  it("byte, i8, i16, i32 at their extremes", async () => {
    for (const v of [-128, -1, 0, 127]) {
      expect(await client.echoByte(v)).toBe(v);
      expect(await client.echoI8(v)).toBe(v);
    }
    for (const v of [-32768, 32767]) expect(await client.echoI16(v)).toBe(v);
    for (const v of [-(2 ** 31), 2 ** 31 - 1, 0]) expect(await client.echoI32(v)).toBe(v);
  });

  it("i64 exactly, extremes included", async () => {
    for (const v of [i64Min, i64Max, 0n, -1n, 2n ** 53n + 1n, -(2n ** 53n) - 1n]) {
      expect(await client.echoI64(v)).toBe(v);
    }
  });

  it("double: NaN, signed zeros, infinities, subnormals, extremes", async () => {
    const values = [NaN, 0, -0, Infinity, -Infinity, 5e-324, -5e-324, 2.225073858507201e-308, Number.MAX_VALUE, 0.1, -1.5e300];
    for (const v of values) {
      const back = await client.echoDouble(v);
      expect(Object.is(back, v), `${v} came back as ${back}`).toBe(true);
    }
    const list = await client.echoDoubles(values);
    expect(list).toHaveLength(values.length);
    list.forEach((back: number, i: number) => expect(Object.is(back, values[i]), `[${i}] ${values[i]} -> ${back}`).toBe(true));
  });

  it("strings: empty, unicode, astral plane, NUL", async () => {
    for (const v of ["", "héllo wörld", "日本語テキスト", "😀 𝄞 𐍈", "a\u0000b", "line\r\nbreak\ttab", "x".repeat(100_000)]) {
      expect(await client.echoString(v)).toBe(v);
    }
  });

  it("a string with a lone surrogate is never altered on the way: carried exactly or refused", async () => {
    const broken = "a\uD800b";
    if (transport === "json") {
      // JSON text escapes it (\ud800), so the JSON codec carries it as it is.
      expect(await client.echoString(broken)).toBe(broken);
    } else {
      // UTF-8 (protobuf bodies, RESP bulk strings) has no encoding for it.
      await expect(client.echoString(broken)).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
      await expect(client.echoDefaults({ id: broken })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
    }
  });

  it("binary: empty, every byte value, 1 MiB", async () => {
    expect(bytesOf(await client.echoBinary(new Uint8Array(0)))).toEqual([]);
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(bytesOf(await client.echoBinary(all))).toEqual(bytesOf(all));
    const mebibyte = patternBytes(1024 * 1024);
    const back: Uint8Array = await client.echoBinary(mebibyte);
    expect(back).toBeInstanceOf(Uint8Array);
    expect(back.length).toBe(mebibyte.length);
    expect(Buffer.from(back).equals(Buffer.from(mebibyte))).toBe(true);
  });

  it("uuid", async () => {
    for (const v of ["123e4567-e89b-12d3-a456-426614174000", "00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff"]) {
      expect(await client.echoUuid(v)).toBe(v);
    }
  });

  it("enums, negative values included", async () => {
    const Color = roundtrip["Color"];
    for (const v of [Color.RED, Color.BLUE, Color.BELOW_ZERO]) expect(await client.echoColor(v)).toBe(v);
  });

  it("lists, sets and maps, empty and not", async () => {
    expect(await client.echoList([])).toEqual([]);
    expect(await client.echoList([1, -2, 2 ** 31 - 1, 0])).toEqual([1, -2, 2 ** 31 - 1, 0]);
    const emptySet = await client.echoSet(new Set());
    expect(emptySet).toBeInstanceOf(Set);
    expect(emptySet.size).toBe(0);
    expect(await client.echoSet(new Set(["a", "", "ü"]))).toEqual(new Set(["a", "", "ü"]));
    const emptyMap = await client.echoMap(new Map());
    expect(emptyMap).toBeInstanceOf(Map);
    expect(emptyMap.size).toBe(0);
    const map = new Map([["max", i64Max], ["min", i64Min], ["", 0n]]);
    expect([...(await client.echoMap(map))]).toEqual([...map]);
  });

  it("nested map<string, list<set<i32>>>", async () => {
    const nested = new Map([
      ["a", [new Set([1, 2, 3]), new Set<number>()]],
      ["empty", []],
      ["b", [new Set([-1])]],
    ]);
    const back: Map<string, Set<number>[]> = await client.echoNested(nested);
    expect(back).toBeInstanceOf(Map);
    expect([...back.keys()]).toEqual(["a", "empty", "b"]);
    expect(back.get("a")![0]).toBeInstanceOf(Set);
    expect(back).toEqual(nested);
    expect((await client.echoNested(new Map())).size).toBe(0);
  });

  it("map with struct keys", async () => {
    const map = new Map([
      [{ x: 1, y: 2 }, "one-two"],
      [{ x: -1, y: 0 }, "minus"],
    ]);
    const back: Map<unknown, string> = await client.echoStructKeys(map);
    expect(back).toBeInstanceOf(Map);
    expect([...back]).toEqual([...map]);
  });

  it("a struct of every scalar, all set", async () => {
    const scalars = everyScalar(roundtrip);
    const back = await client.echoScalars(scalars);
    expect({ ...back, blob: bytesOf(back.blob) }).toEqual({ ...scalars, blob: bytesOf(scalars.blob) });
    expect(Object.is(back.real, -0)).toBe(true);
  });

  it("a struct with no field set stays empty: absent optionals stay absent", async () => {
    const back = await client.echoScalars({});
    expect(Object.keys(back).filter((key) => back[key] !== undefined)).toEqual([]);
    for (const key of ["flag", "b", "big", "text", "blob", "id"]) expect(key in back, key).toBe(false);
  });

  it("required, optional and default fields", async () => {
    const full = { id: "x", note: "n", count: 0, tags: [], color: roundtrip["Color"].GREEN, label: "", flag: false, big: 0n };
    expect(await client.echoDefaults(full)).toEqual(full);
    const minimal = await client.echoDefaults({ id: "only" });
    expect(minimal.id).toBe("only");
    for (const key of ["note", "tags", "color", "flag", "big"]) expect(key in minimal, key).toBe(false);
    const withDefaults = await client.echoDefaults(roundtrip["createDefaults"]({ id: "d" }));
    expect(withDefaults).toEqual({ id: "d", count: 42, label: "unnamed" });
  });

  it("a missing required field is refused before the call leaves", async () => {
    await expect(client.echoDefaults({ note: "no id" })).rejects.toMatchObject({ code: "INVALID_ARGUMENT" });
  });

  it("unions, nested ones included", async () => {
    for (const shape of [
      { point: { x: 3, y: 4 } },
      { radius: 1.5 },
      { name: "" },
      { group: [] },
      { group: [{ name: "a" }, { group: [{ radius: -0 }] }, { point: { x: 0, y: 0 } }] },
    ]) {
      const back = await client.echoShape(shape);
      expect(back).toEqual(shape);
      expect(Object.keys(back).filter((key) => back[key] !== undefined)).toHaveLength(1);
    }
  });

  it("recursive structs", async () => {
    const tree = {
      label: "root",
      children: [
        { label: "a", children: [{ label: "a1" }, { label: "a2", children: [] }] },
        { label: "b", next: { label: "b-next" } },
      ],
    };
    expect(await client.echoTree(tree)).toEqual(tree);
    // A linked list 200 deep.
    let chain: { label: string; next?: unknown } = { label: "end" };
    for (let i = 0; i < 200; i++) chain = { label: `n${i}`, next: chain };
    expect(await client.echoTree(chain)).toEqual(chain);
  });

  it("typedefs", async () => {
    expect(await client.echoCount(-7)).toBe(-7);
    const path = [{ x: 1, y: 1 }, { x: 2, y: 3 }];
    expect(await client.echoPath(path)).toEqual(path);
    expect(await client.echoPath([])).toEqual([]);
  });

  it("declared exceptions reject as the generated class with every field", async () => {
    const NotFound = roundtrip["NotFound"];
    const Overloaded = roundtrip["Overloaded"];
    const error = await client.find(i64Min).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFound);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("NotFound");
    expect(error.message).toBe(`no entry ${i64Min}`);
    expect(error.key).toBe(i64Min);
    expect(error.tried).toEqual(["cache", "disk"]);
    const overloaded = await client.find(0n).catch((e: unknown) => e);
    expect(overloaded).toBeInstanceOf(Overloaded);
    expect(overloaded.retryAfterMs).toBe(250);
    expect(await client.find(5n)).toBe("entry 5");
  });

  it("void and oneway methods", async () => {
    const key = `touched-${transport}`;
    expect(await client.touch(key)).toBeUndefined();
    expect(handler.touched).toContain(key);
    const event = `event-${transport}`;
    const arrived = handler.notifiedWith(event);
    expect(await client.notify(event)).toBeUndefined();
    await arrived;
  });

  it("a method with sixteen arguments of every kind", async () => {
    const args = sixteenArguments(roundtrip);
    expect(await client.many(...args)).toBe("received 16 arguments");
    expectSixteenReceived(handler.lastMany, args);
  });

  it("inherited methods, across an include and within a file", async () => {
    expect(await client.add(20, 22)).toBe(42);
    const stamp = { at: i64Max, by: "me" };
    expect(await client.stamp(stamp)).toEqual(stamp);
    expect(await client.whoAmI()).toBe("roundtrip.LoudEcho");
    expect(await client.shout("hi")).toBe("HI");
    // The same handler also serves the parent service under its own name.
    const echo = new roundtrip["EchoClient"](invoker);
    expect(await echo.whoAmI()).toBe("roundtrip.Echo");
    expect(await echo.add(1, 2)).toBe(3);
    // The included file's own client, for its own service, on the same connection.
    const baseClient = new base["BaseClient"](invoker);
    expect(await baseClient.whoAmI()).toBe("base.Base");
    expect(await baseClient.stamp({ at: i64Min })).toEqual({ at: i64Min });
    // Inherited methods come first, in the order of the chain Root <- Base <- Echo <- LoudEcho.
    expect(Object.keys(roundtrip["LoudEchoService"].methods).slice(0, 4)).toEqual(["whoAmI", "stamp", "add", "echoBool"]);
    expect(roundtrip["LoudEchoService"].methods["add"].fullName).toBe("LoudEcho.add");
  });
});

describe.each(["binary", "json"] as const)("a body over the compression threshold, over %s", (codec) => {
  it("4.5 MiB of compressible bytes travel gzip'ed under the 4 MiB frame limit and come back intact", async () => {
    const invoker = openInvoker(codec, running.port);
    try {
      const client = new roundtrip["EchoClient"](invoker);
      const large = new Uint8Array(4.5 * 1024 * 1024);
      for (let i = 0; i < large.length; i++) large[i] = i % 97;
      const back: Uint8Array = await client.echoBinary(large);
      expect(back.length).toBe(large.length);
      expect(Buffer.from(back).equals(Buffer.from(large))).toBe(true);
    } finally {
      await invoker.close();
    }
  });
});

describe.each(transportNames)("with 16 MiB frame limits on both sides, over %s", (transport) => {
  let large: RunningServer;
  beforeAll(async () => {
    large = await startServer((server) => roundtrip["registerEcho"](server, handler), { maxFrameBytes: 16 * 1024 * 1024 });
  });
  afterAll(() => large.server.close({ graceMs: 1000 }));

  it("a struct holding 4 MiB of incompressible binary comes back intact", async () => {
    const invoker =
      transport === "resp"
        ? openInvoker("resp", large.port)
        : new Channel({ address: large.address, codec: transport, maxFrameBytes: 16 * 1024 * 1024, logger: silentLogger });
    try {
      const client = new roundtrip["EchoClient"](invoker);
      const blob = new Uint8Array(4 * 1024 * 1024);
      // xorshift: bytes gzip cannot shrink, so the frame really is over 4 MiB.
      let state = 0x2545f491;
      for (let i = 0; i < blob.length; i++) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        blob[i] = state & 0xff;
      }
      const back = await client.echoScalars({ blob, text: "big" });
      expect(back.text).toBe("big");
      expect(Buffer.from(back.blob).equals(Buffer.from(blob))).toBe(true);
    } finally {
      await invoker.close();
    }
  });
});
