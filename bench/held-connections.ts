/**
 * The client side of the memory-per-connection bench: many connections to one
 * server, each brought to the point where the server holds its full
 * per-connection state ("established"), then given one parked call each.
 *
 * Each protocol is spoken at the byte level (a pre-encoded frame written to a
 * plain socket, or a bare node:http2 session for gRPC): a framework client per
 * connection would cost the client process far more than the server under test,
 * and the server cannot tell the difference.
 *
 * What "established" means, per protocol (the same bar for each: the server has
 * accepted the connection and handled its first bytes):
 * - rpcgen: a Ping frame answered by a Pong (what an idle Channel sends anyway);
 *   the server has then detected the protocol and built its connection object;
 * - grpc-js: the HTTP/2 preface and SETTINGS exchanged, and a PING acknowledged;
 * - Apache Thrift: the TCP connect (the protocol has no handshake).
 */
import { connect as http2Connect, type ClientHttp2Session } from "node:http2";
import { connect as netConnect, type Socket } from "node:net";
import { encodeFrame } from "@rpcgen/runtime/internal/wire/frame-encoder.js";
import { CodecId, FrameKind } from "@rpcgen/runtime/internal/wire/frame.js";
import { binaryCodec } from "@rpcgen/runtime/internal/codec/binary-codec.js";
import { EchoService } from "./gen/rpcgen/echo.js";

export type MemoryFramework = "rpcgen" | "grpc-js" | "thrift";

/** One held connection: its park call resolves when the server answers it. */
export interface HeldConnection {
  park(id: number): Promise<void>;
  close(): void;
}

/** Opens one established connection of `framework` to 127.0.0.1:`port`. */
export function openHeld(framework: MemoryFramework, port: number): Promise<HeldConnection> {
  switch (framework) {
    case "rpcgen":
      return openFramed(port, rpcgenPing(), rpcgenPark);
    case "thrift":
      return openFramed(port, undefined, thriftPark);
    case "grpc-js":
      return openGrpc(port);
  }
}

// ---- rpcgen's binary frames and Thrift's framed binary protocol, on a plain socket ----

function rpcgenPing(): Buffer {
  return encodeFrame({ kind: FrameKind.Ping, requestId: 0, method: "", codec: CodecId.Binary, flags: 0, deadlineMs: 0, metadata: undefined, body: new Uint8Array(0) });
}

function rpcgenPark(id: number): Buffer {
  const method = EchoService.methods["park"]!;
  const body = binaryCodec.encodeArgs(method, [id]);
  return encodeFrame({ kind: FrameKind.Call, requestId: 1, method: method.fullName, codec: CodecId.Binary, flags: 0, deadlineMs: 0, metadata: undefined, body });
}

/** `park(1: i32 id)` as TFramedTransport + TBinaryProtocol (strict) put it on the wire. */
function thriftPark(id: number): Buffer {
  const name = Buffer.from("park");
  const message = Buffer.alloc(4 + 4 + name.length + 4 + 1 + 2 + 4 + 1);
  let at = message.writeUInt32BE(0x80010001, 0); // version 1, message type CALL
  at = message.writeInt32BE(name.length, at);
  at += name.copy(message, at);
  at = message.writeInt32BE(1, at); // sequence id
  at = message.writeUInt8(8, at); // field type i32
  at = message.writeInt16BE(1, at); // field id 1
  at = message.writeInt32BE(id, at);
  message.writeUInt8(0, at); // stop
  const frame = Buffer.alloc(4 + message.length);
  frame.writeUInt32BE(message.length, 0);
  message.copy(frame, 4);
  return frame;
}

/**
 * A socket that writes `hello` (if any) and counts as established at its first
 * answer; each park call resolves at the next bytes received (replies are tiny
 * and arrive in one chunk on loopback).
 */
function openFramed(port: number, hello: Buffer | undefined, parkFrame: (id: number) => Buffer): Promise<HeldConnection> {
  return new Promise((resolve, reject) => {
    const socket: Socket = netConnect({ host: "127.0.0.1", port, noDelay: true });
    let onBytes: (() => void) | undefined;
    const held: HeldConnection = {
      park: (id) =>
        new Promise<void>((answered) => {
          onBytes = answered;
          socket.write(parkFrame(id));
        }),
      close: () => socket.destroy(),
    };
    socket.on("data", () => {
      const waiter = onBytes;
      onBytes = undefined;
      waiter?.();
    });
    // Errors after the connect (the server killed at the end) must not crash the client: each rejects at most a settled promise.
    socket.on("error", reject);
    socket.once("connect", () => {
      if (hello === undefined) return resolve(held);
      onBytes = () => resolve(held);
      socket.write(hello);
    });
  });
}

// ---- gRPC: a bare HTTP/2 session, one unary call per connection ----

/** ParkRequest { id } as a gRPC length-prefixed message (field 1, varint). */
function grpcParkMessage(id: number): Buffer {
  const varint: number[] = [];
  let rest = id >>> 0;
  do {
    varint.push((rest & 0x7f) | (rest > 0x7f ? 0x80 : 0));
    rest >>>= 7;
  } while (rest > 0);
  const body = Buffer.from([0x08, ...varint]);
  const message = Buffer.alloc(5 + body.length);
  message.writeUInt32BE(body.length, 1);
  body.copy(message, 5);
  return message;
}

function openGrpc(port: number): Promise<HeldConnection> {
  return new Promise((resolve, reject) => {
    const session: ClientHttp2Session = http2Connect(`http://127.0.0.1:${port}`);
    session.on("error", reject);
    const held: HeldConnection = {
      park: (id) =>
        new Promise<void>((answered, failed) => {
          const stream = session.request({ ":method": "POST", ":path": "/bench.Echo/Park", "content-type": "application/grpc", te: "trailers" });
          stream.on("data", () => undefined);
          stream.on("error", failed);
          stream.once("close", () => (stream.rstCode === 0 ? answered() : failed(new Error(`gRPC stream reset (${stream.rstCode})`))));
          stream.end(grpcParkMessage(id));
        }),
      close: () => session.destroy(),
    };
    // The PING's ack comes after the server has read our preface and SETTINGS.
    session.once("remoteSettings", () =>
      session.ping((error) => (error === null ? resolve(held) : reject(error))),
    );
  });
}
