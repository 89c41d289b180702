/**
 * A recursive struct nested far deeper than any stack, from a generated client,
 * from a handler, and written straight to the socket where no client would
 * send it. Each side must fail that one call with an error and keep serving;
 * nothing may crash.
 */
import { type Socket, createConnection } from "node:net";
import { once } from "node:events";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RespValue, RpcError } from "@rpcgen/runtime";
import { CodecId, type Frame, FrameKind } from "@rpcgen/runtime/internal/wire/frame.js";
import { FrameDecoder } from "@rpcgen/runtime/internal/wire/frame-decoder.js";
import { RespParser } from "@rpcgen/runtime/internal/resp/resp-parser.js";
import { decodeErrorBody } from "@rpcgen/runtime/internal/wire/error-body.js";
import { encodeFrame } from "@rpcgen/runtime/internal/wire/frame-encoder.js";
import { serializeCommand } from "@rpcgen/runtime/internal/resp/resp-serializer.js";
import { type GeneratedModule, type GeneratedStubs, generateStubs } from "./support/generated-stubs.js";
import { EchoHandler } from "./support/echo-handler.js";
import { type RunningServer, openInvoker, startServer, transportNames } from "./support/transports.js";

/** Levels of `Tree.next` nesting: far past what a recursive walk of the default stack survives. */
const depth = 100_000;

let stubs: GeneratedStubs;
let roundtrip: GeneratedModule;
let running: RunningServer;

beforeAll(async () => {
  stubs = await generateStubs("hostile", "roundtrip.thrift");
  roundtrip = await stubs.load("roundtrip");
  const handler = new EchoHandler(roundtrip);
  // Asked to "grow", the handler answers with a tree too deep to encode.
  handler.echoTree = <T>(tree: T): T => ((tree as { label?: string }).label === "grow" ? (deepTree(depth) as T) : tree);
  running = await startServer((server) => roundtrip["registerEcho"](server, handler));
});

afterAll(async () => {
  await running?.server.close({ graceMs: 1000 });
  stubs?.dispose();
});

/** A Tree whose `next` chain is `levels` long, as a JavaScript object. */
function deepTree(levels: number): { label: string; next?: unknown } {
  let tree: { label: string; next?: unknown } = { label: "x" };
  for (let i = 1; i < levels; i++) tree = { label: "x", next: tree };
  return tree;
}

/** Protobuf varint of a non-negative integer. */
function varint(value: number): number[] {
  const bytes: number[] = [];
  while (value > 0x7f) {
    bytes.push((value & 0x7f) | 0x80);
    value >>>= 7;
  }
  bytes.push(value);
  return bytes;
}

/** `Echo_echoTree_args { v: Tree { next: Tree { next: ... } } }` in protobuf, `levels` messages deep. */
function deepTreeProtobuf(levels: number): Buffer {
  // Lengths inside out (the innermost Tree is empty), then headers written outside in.
  const lengths = new Array<number>(levels);
  let length = 0;
  for (let i = levels - 1; i >= 0; i--) {
    lengths[i] = length;
    length += 1 + varint(length).length;
  }
  const bytes = Buffer.alloc(length);
  let offset = 0;
  for (let i = 0; i < levels; i++) {
    // The outermost is args field 1 (tag 0x0a); each Tree.next is field 3 (tag 0x1a).
    bytes[offset++] = i === 0 ? 0x0a : 0x1a;
    for (const byte of varint(lengths[i]!)) bytes[offset++] = byte;
  }
  return bytes;
}

/** `{"label":"x","next":{"label":"x","next":...}}`, `levels` deep. */
function deepTreeJson(levels: number): string {
  return `${'{"label":"x","next":'.repeat(levels - 1)}{"label":"x"}${"}".repeat(levels - 1)}`;
}

/** Sends one frame on a fresh connection and resolves with the server's answer to it. */
async function callWithFrame(frame: Frame): Promise<Frame> {
  const socket = createConnection({ host: "127.0.0.1", port: running.port });
  try {
    await once(socket, "connect");
    const answer = new Promise<Frame>((resolve, reject) => {
      const decoder = new FrameDecoder((received) => {
        if (received.requestId === frame.requestId) resolve(received);
      });
      socket.on("data", (chunk: Buffer) => decoder.push(chunk));
      socket.on("close", () => reject(new Error("the server closed the connection without answering")));
    });
    socket.write(encodeFrame(frame));
    return await answer;
  } finally {
    socket.destroy();
  }
}

/** Writes RESP commands on `socket` and resolves with the first `count` replies. */
async function respReplies(socket: Socket, commands: Buffer[], count: number): Promise<RespValue[]> {
  const replies: RespValue[] = [];
  const parser = new RespParser();
  const done = new Promise<RespValue[]>((resolve, reject) => {
    socket.on("data", (chunk: Buffer) => {
      parser.push(chunk);
      for (let reply = parser.next(); reply !== undefined; reply = parser.next()) {
        replies.push(reply);
        if (replies.length === count) resolve(replies);
      }
    });
    socket.on("close", () => reject(new Error(`the server closed the connection after ${replies.length} replies`)));
  });
  for (const command of commands) socket.write(command);
  return done;
}

describe.each(transportNames)("a generated client over %s", (transport) => {
  it("refuses to send a tree 100,000 levels deep with an RpcError, and the connection keeps serving", async () => {
    const invoker = openInvoker(transport, running.port);
    try {
      const client = new roundtrip["EchoClient"](invoker);
      const error = await client.echoTree(deepTree(depth)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(RpcError);
      expect(error.code).toBe("INVALID_ARGUMENT");
      expect(await client.add(1, 2)).toBe(3);
    } finally {
      await invoker.close();
    }
  });

  it("gets INTERNAL when the handler answers with a tree too deep to encode", async () => {
    const invoker = openInvoker(transport, running.port);
    try {
      const client = new roundtrip["EchoClient"](invoker);
      await expect(client.echoTree({ label: "grow" })).rejects.toMatchObject({ code: "INTERNAL" });
      expect(await client.add(2, 2)).toBe(4);
    } finally {
      await invoker.close();
    }
  });
});

describe("a recursive struct nested 100,000 levels deep, written straight to the socket", () => {
  it.each([
    ["binary", CodecId.Binary, () => deepTreeProtobuf(depth)],
    ["json", CodecId.Json, () => Buffer.from(`{"v":${deepTreeJson(depth)}}`)],
  ] as const)("in a %s-codec call frame is refused, and the server keeps serving", async (_name, codec, body) => {
    const answer = await callWithFrame({
      kind: FrameKind.Call,
      requestId: 7,
      method: "Echo.echoTree",
      codec,
      flags: 0,
      deadlineMs: 0,
      metadata: undefined,
      body: body(),
    });
    expect(answer.kind).toBe(FrameKind.Error);
    expect(decodeErrorBody(answer.body).code).toBe("INVALID_ARGUMENT");
    const next = await callWithFrame({
      kind: FrameKind.Call,
      requestId: 8,
      method: "Echo.add",
      codec: CodecId.Json,
      flags: 0,
      deadlineMs: 0,
      metadata: undefined,
      body: Buffer.from(`{"a":1,"b":2}`),
    });
    expect(next.kind).toBe(FrameKind.Reply);
  });

  it("in a RESP CALL gets an error reply, and the connection keeps serving", async () => {
    const socket = createConnection({ host: "127.0.0.1", port: running.port });
    try {
      await once(socket, "connect");
      const [tree, sum] = await respReplies(
        socket,
        [serializeCommand(["CALL", "Echo.echoTree", deepTreeJson(depth)]), serializeCommand(["CALL", "Echo.add", "1", "2"])],
        2,
      );
      // The caller's fault, as over binary frames: not INTERNAL, and not logged as a server error.
      expect(tree).toMatchObject({ type: "error", value: expect.stringMatching(/^INVALID_ARGUMENT Echo\.echoTree: /) });
      expect(sum).toEqual({ type: "integer", value: 3n });
    } finally {
      socket.destroy();
    }
  });
});
