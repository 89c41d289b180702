/**
 * protoc as an independent peer of the binary codec: the generated `.proto`
 * must describe the exact bytes. protoc decodes bodies the codec (and a live
 * client, seen on the wire) produced, and the codec decodes bytes protoc made.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Channel, type MethodDescriptor, silentLogger } from "@rpcgen/runtime";
import { FrameKind } from "@rpcgen/runtime/internal/wire/frame.js";
import { binaryCodec } from "@rpcgen/runtime/internal/codec/binary-codec.js";
import { type GeneratedModule, type GeneratedStubs, generateStubs } from "./support/generated-stubs.js";
import { EchoHandler } from "./support/echo-handler.js";
import { FrameTapProxy } from "./support/frame-tap-proxy.js";
import { protoc } from "./support/protoc.js";
import { i64Max, i64Min, sixteenArguments } from "./support/roundtrip-samples.js";
import { type RunningServer, startServer } from "./support/transports.js";


let stubs: GeneratedStubs;
let roundtrip: GeneratedModule;
let manyMethod: MethodDescriptor;

beforeAll(async () => {
  stubs = await generateStubs("protoc", "roundtrip.thrift");
  roundtrip = await stubs.load("roundtrip");
  manyMethod = roundtrip["EchoService"].methods["many"];
});

afterAll(() => stubs?.dispose());

/** Arguments of `Echo.many` that use structs, containers, i64 extremes and non-ASCII text. */
const manyArgs = () => sixteenArguments(roundtrip, { real: 0.5, text: "two" });

/** What `protoc --decode=roundtrip.Echo_many_args` prints for manyArgs(). */
const manyArgsText = `a: true
b: -1
c: -32768
d: 123456
e: 9223372036854775807
f: 0.5
g: "ghost \\360\\237\\221\\273"
h: "\\001\\002\\003"
i: "00112233-4455-6677-8899-aabbccddeeff"
j: 7
k {
  items {
    x: 1
    y: 2
  }
}
l {
  items: -9223372036854775808
  items: 0
}
m {
  entries {
    key: -1
    value: "minus one"
  }
  entries {
    key: 2
    value: "two"
  }
}
n {
  id: "n"
  tags {
    items: "t"
  }
}
o {
  name: "o"
}
p {
  label: "p"
  children {
    items {
      label: "q"
    }
  }
}
`;

describe("protoc decodes what the binary codec encodes", () => {
  it("arguments with structs, containers, a union, a recursive struct and i64 extremes", () => {
    const body = binaryCodec.encodeArgs(manyMethod, manyArgs());
    expect(protoc("decode", stubs.dir, "roundtrip.proto", "roundtrip.Echo_many_args", body).toString()).toBe(manyArgsText);
  });

  it("nested containers, struct map keys, a union of lists and special doubles", () => {
    const methods = roundtrip["EchoService"].methods;
    const decode = (method: string, value: unknown): string =>
      protoc("decode", stubs.dir, "roundtrip.proto", `roundtrip.Echo_${method}_args`, binaryCodec.encodeArgs(methods[method], [value])).toString();
    const nested = new Map([
      ["a", [new Set([1, -2]), new Set()]],
      ["e", []],
    ]);
    expect(decode("echoNested", nested)).toBe(
      `v {
  entries {
    key: "a"
    value {
      items {
        items: 1
        items: -2
      }
      items {
      }
    }
  }
` +
        `  entries {
    key: "e"
    value {
    }
  }
}
`,
    );
    expect(decode("echoStructKeys", new Map([[{ x: 1, y: 0 }, "a"]]))).toBe(
      `v {
  entries {
    key {
      x: 1
      y: 0
    }
    value: "a"
  }
}
`,
    );
    expect(decode("echoShape", { group: [{ radius: -0 }, { group: [] }, { name: "" }] })).toBe(
      `v {
  group {
    items {
      radius: -0
    }
    items {
      group {
      }
    }
    items {
      name: ""
    }
  }
}
`,
    );
    expect(decode("echoDoubles", [NaN, -0, Infinity, 5e-324])).toBe(
      `v {
  items: nan
  items: -0
  items: inf
  items: 4.94065645841247e-324
}
`,
    );
  });

  it("present zero values are written (explicit presence), absent ones are not", () => {
    const method = roundtrip["EchoService"].methods["echoScalars"];
    const body = binaryCodec.encodeArgs(method, [{ flag: false, medium: 0, big: 0n, text: "", real: -0 }]);
    expect(protoc("decode", stubs.dir, "roundtrip.proto", "roundtrip.Echo_echoScalars_args", body).toString()).toBe(
      `v {\n  flag: false\n  medium: 0\n  big: 0\n  real: -0\n  text: ""\n}\n`,
    );
  });

  it("a declared exception outcome and a success outcome", () => {
    const method = roundtrip["EchoService"].methods["find"];
    const thrown = new roundtrip["NotFound"]({ message: "gone", key: i64Min, tried: ["a"] });
    const exceptionBody = binaryCodec.encodeOutcome(method, { fieldId: 1, value: thrown });
    expect(protoc("decode", stubs.dir, "roundtrip.proto", "roundtrip.Echo_find_result", exceptionBody).toString()).toBe(
      `notFound {\n  message: "gone"\n  key: -9223372036854775808\n  tried {\n    items: "a"\n  }\n}\n`,
    );
    const successBody = binaryCodec.encodeOutcome(method, { fieldId: 0, value: "found" });
    expect(protoc("decode", stubs.dir, "roundtrip.proto", "roundtrip.Echo_find_result", successBody).toString()).toBe(
      `success: "found"\n`,
    );
  });

  it("an inherited method's body decodes with the parent's message from the included file", () => {
    const method = roundtrip["LoudEchoService"].methods["stamp"];
    const body = binaryCodec.encodeArgs(method, [{ at: i64Max, by: "me" }]);
    expect(protoc("decode", stubs.dir, "base.proto", "base.Base_stamp_args", body).toString()).toBe(
      `s {\n  at: 9223372036854775807\n  by: "me"\n}\n`,
    );
  });
});

describe("the binary codec decodes what protoc encodes", () => {
  it("the same arguments, from protoc's text format", () => {
    const body = protoc("encode", stubs.dir, "roundtrip.proto", "roundtrip.Echo_many_args", manyArgsText);
    const args = binaryCodec.decodeArgs(manyMethod, body);
    const expected = manyArgs();
    // A field left out with an IDL default is read as that default.
    expected[13] = { id: "n", tags: ["t"], count: 42, label: "unnamed" };
    expect([...(args[7] as Uint8Array)]).toEqual([1, 2, 3]);
    args[7] = expected[7];
    expect(args).toEqual(expected);
  });

  it("nested containers and special doubles", () => {
    const methods = roundtrip["EchoService"].methods;
    const encode = (method: string, text: string): unknown[] =>
      binaryCodec.decodeArgs(methods[method], protoc("encode", stubs.dir, "roundtrip.proto", `roundtrip.Echo_${method}_args`, text));
    const [nested] = encode("echoNested", `v { entries { key: "a" value { items { items: 1 items: -2 } items { } } } entries { key: "e" value { } } }`);
    expect(nested).toEqual(
      new Map([
        ["a", [new Set([1, -2]), new Set()]],
        ["e", []],
      ]),
    );
    const [doubles] = encode("echoDoubles", `v { items: nan items: -0 items: inf items: -inf items: 4.94065645841247e-324 }`) as number[][];
    expect(doubles.map((d) => Object.is(d, -0) ? "-0" : String(d))).toEqual(["NaN", "-0", "Infinity", "-Infinity", "5e-324"]);
  });

  it("a declared exception outcome becomes the generated class", () => {
    const method = roundtrip["EchoService"].methods["find"];
    const body = protoc(
      "encode",
      stubs.dir,
      "roundtrip.proto",
      "roundtrip.Echo_find_result",
      `notFound { message: "gone" key: 9223372036854775807 tried { items: "x" items: "y" } }`,
    );
    const outcome = binaryCodec.decodeOutcome(method, body);
    expect(outcome.fieldId).toBe(1);
    expect(outcome.value).toBeInstanceOf(roundtrip["NotFound"]);
    expect(outcome.value).toMatchObject({ message: "gone", key: i64Max, tried: ["x", "y"] });
  });
});

describe("protoc decodes the bodies a live client and server put on the wire", () => {
  let running: RunningServer;
  let proxy: FrameTapProxy;
  let proxyPort: number;

  beforeAll(async () => {
    running = await startServer((server) => roundtrip["registerEcho"](server, new EchoHandler(roundtrip)));
    ({ proxy, port: proxyPort } = await FrameTapProxy.start(running.port));
  });
  afterAll(async () => {
    await proxy?.close();
    await running?.server.close({ graceMs: 1000 });
  });

  it("the call frame's body and the reply frame's body", async () => {
    const channel = new Channel({ address: `127.0.0.1:${proxyPort}`, codec: "binary", logger: silentLogger });
    try {
      const client = new roundtrip["EchoClient"](channel);
      expect(await client.many(...manyArgs())).toBe("received 16 arguments");
    } finally {
      await channel.close();
    }
    const call = proxy.toServer.find((frame) => frame.method === "Echo.many");
    expect(call).toBeDefined();
    expect(Buffer.from(call!.body).equals(Buffer.from(binaryCodec.encodeArgs(manyMethod, manyArgs())))).toBe(true);
    expect(protoc("decode", stubs.dir, "roundtrip.proto", "roundtrip.Echo_many_args", call!.body).toString()).toBe(manyArgsText);
    const reply = proxy.toClient.find((frame) => frame.requestId === call!.requestId && frame.kind === FrameKind.Reply);
    expect(reply).toBeDefined();
    expect(protoc("decode", stubs.dir, "roundtrip.proto", "roundtrip.Echo_many_result", reply!.body).toString()).toBe(
      `success: "received 16 arguments"\n`,
    );
  });
});
