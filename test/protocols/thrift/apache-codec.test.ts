/**
 * rpcgen's Thrift codec against Apache's own (the npm library with `thrift --gen
 * js:node` code) on every type the 0.17 compiler knows: bools in fields and in
 * containers, every integer width, doubles, strings, binaries, enums, unions,
 * nested containers, a far field id. Each side encodes, the other decodes and
 * answers with what it decoded, in every transport/protocol pair.
 */
import path from "node:path";
import type { AddressInfo, Server as NetServer } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Server, ThriftChannel, silentLogger } from "@rpcgen/runtime";
import { BinaryOutput } from "../../../runtime/protocols/thrift/binary-output.js";
import { CompactOutput } from "../../../runtime/protocols/thrift/compact-output.js";
import { writeStruct } from "../../../runtime/protocols/thrift/thrift-struct.js";
import {
  generateApacheCode,
  generateRpcgenStubs,
  runPythonScript,
  npmThriftClasses,
  requireGenerated,
  requireThrift,
  type ApacheGenerated,
} from "./support/apache-thrift-tools.js";
import { thriftPairs } from "./support/thrift-pairs.js";

const idl = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures/all-types.thrift");
const thrift = requireThrift();
let jsCode: ApacheGenerated;
let stubs: { module: Record<string, any>; dispose(): void };
let rpcgenServer: Server;
let rpcgenPort: number;

beforeAll(async () => {
  jsCode = generateApacheCode("js:node", idl);
  stubs = await generateRpcgenStubs(idl);
  rpcgenServer = new Server({ logger: silentLogger });
  stubs.module["registerAllTypes"](rpcgenServer, {
    echo: (v: unknown) => v,
    fail: (code: number) => {
      throw new stubs.module["Oops"]({ message: `failed with ${code}`, code });
    },
  });
  rpcgenPort = (await rpcgenServer.listen({ host: "127.0.0.1", port: 0 })).port;
});

afterAll(async () => {
  await rpcgenServer?.close({ graceMs: 500 });
  stubs?.dispose();
  jsCode?.dispose();
});

/**
 * A value of Everything as rpcgen's generated code types it. With `falseBools`,
 * bools inside containers are all false: npm thrift 0.24's TCompactProtocol reads
 * every such bool as false (its readBool takes `.value` of the number readByte
 * returns), so only false survives a trip through it. Python's library, the
 * byte-exact judge below, reads and writes them right.
 */
function rpcgenEverything(falseBools = false): Record<string, unknown> {
  const Mood = stubs.module["Mood"];
  const bool = (value: boolean): boolean => value && !falseBools;
  return {
    yes: true,
    b: -128,
    s: -32768,
    i: 2 ** 31 - 1,
    l: -(2n ** 63n),
    d: -0.5e-300,
    text: "héllo 😀",
    blob: Uint8Array.from([0, 1, 254, 255]),
    bools: [bool(true), false, false, bool(true)],
    shorts: new Set([1, -1, 32767]),
    longs: new Map([
      ["a", [1n, -(2n ** 40n), 2n ** 63n - 1n]],
      ["", []],
    ]),
    inners: [{ flag: false, flags: [false, bool(true)], name: "x" }, {}],
    mood: Mood.ODD,
    choice: { inner: { flags: [] } },
    flagsById: new Map([
      [-7, false],
      [300, bool(true)],
    ]),
    nested: [["a", "b"], [], ["c"]],
    farAway: -300,
  };
}

describe.each(thriftPairs)("%s transport, %s protocol", (transport, protocol) => {
  it("rpcgen encodes, Apache decodes and re-encodes, rpcgen decodes: the value is unchanged", async () => {
    const AllTypes = requireGenerated(jsCode, "AllTypes.js");
    const types = requireGenerated(jsCode, "all-types_types.js");
    const server: NetServer = thrift.createServer(
      AllTypes,
      {
        echo: (v: unknown) => v,
        fail: async (code: number) => {
          throw new types.Oops({ message: `apache failed with ${code}`, code });
        },
      },
      npmThriftClasses(thrift, transport, protocol),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const channel = new ThriftChannel({ address: `127.0.0.1:${(server.address() as AddressInfo).port}`, transport, protocol });
    try {
      const client = new stubs.module["AllTypesClient"](channel);
      const value = rpcgenEverything(protocol === "compact");
      const back = await client.echo(value);
      expect({ ...back, blob: [...back.blob] }).toEqual({ ...value, blob: [...(value["blob"] as Uint8Array)] });
      const error = await client.fail(-2).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(stubs.module["Oops"]);
      expect(error).toMatchObject({ message: "apache failed with -2", code: -2 });
    } finally {
      await channel.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("Apache encodes, rpcgen decodes and re-encodes, Apache decodes: the value is unchanged", async () => {
    const AllTypes = requireGenerated(jsCode, "AllTypes.js");
    const types = requireGenerated(jsCode, "all-types_types.js");
    const connection = thrift.createConnection("127.0.0.1", rpcgenPort, {
      ...npmThriftClasses(thrift, transport, protocol),
      max_attempts: 0,
    });
    const client = thrift.createClient(AllTypes, connection);
    try {
      const value = new types.Everything({
        yes: true,
        b: 127,
        s: 32767,
        i: -(2 ** 31),
        l: thrift.fromBigInt(2n ** 63n - 1n),
        d: Math.PI,
        text: "日本語",
        blob: Buffer.from([9, 8, 7]),
        bools: [false, protocol === "binary"],
        shorts: [-5, 5],
        longs: { k: [thrift.fromBigInt(-1n), thrift.fromBigInt(2n ** 53n + 1n)] },
        inners: [new types.Inner({ flag: true, flags: [protocol === "binary", false] })],
        mood: types.Mood.SAD,
        choice: new types.Choice({ text: "chosen" }),
        flagsById: { "1": protocol === "binary", "-2": false },
        nested: [["x"], []],
        farAway: 123456,
      });
      const back = await client.echo(value);
      expect(thrift.toBigInt(back.l)).toBe(2n ** 63n - 1n);
      expect(back.longs.k.map((v: unknown) => thrift.toBigInt(v))).toEqual([-1n, 2n ** 53n + 1n]);
      expect({ ...back, l: null, longs: null }).toEqual({ ...value, l: null, longs: null });
      const error = await client.fail(7).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(types.Oops);
      expect(error).toMatchObject({ message: "failed with 7", code: 7 });
    } finally {
      connection.end();
    }
  });
});

describe("byte for byte", () => {
  it.each(["binary", "compact"] as const)("rpcgen writes %s exactly as Apache's Python library does", async (protocol) => {
    const pyCode = generateApacheCode("py", idl);
    try {
      const expected = (await runPythonScript("encode_everything.py", [pyCode.dir, protocol])).trim();
      const Mood = stubs.module["Mood"];
      const value = {
        yes: false,
        b: -128,
        s: -300,
        i: -(2 ** 31),
        l: -(2n ** 63n),
        d: -0,
        text: "héllo 😀",
        blob: Uint8Array.from([0, 1, 254, 255]),
        bools: [true, false, false, true],
        shorts: new Set([32767]),
        longs: new Map([
          ["a", [1n, -(2n ** 40n), 2n ** 63n - 1n]],
          ["", []],
        ]),
        inners: [{ flag: false, flags: [false, true], name: "x" }, {}],
        mood: Mood.ODD,
        choice: { inner: { flags: [] } },
        flagsById: new Map([
          [-7, false],
          [300, true],
        ]),
        nested: [["a", "b"], [], ["c"]],
        farAway: -300,
      };
      const out = protocol === "compact" ? new CompactOutput() : new BinaryOutput();
      writeStruct(out, stubs.module["EverythingDescriptor"], value);
      expect(out.take().toString("hex")).toBe(expected);
    } finally {
      pyCode.dispose();
    }
  });
});
