/**
 * Hostile input before authentication closes only the connection that sent it:
 * garbage, frames and RESP commands over the pre-authentication size limit, a
 * TLS handshake that never finishes, a connection that never authenticates.
 * Meanwhile an authenticated client keeps calling, and none of its calls fail.
 */
import { connect as connectTcp, type Socket } from "node:net";
import { connect as connectTls } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Channel, silentLogger, staticTokenAuthenticator, type Server } from "@rpcgen/runtime";
import { CodecId, FrameKind } from "@rpcgen/runtime/internal/wire/frame.js";
import { decodeErrorBody } from "@rpcgen/runtime/internal/wire/error-body.js";
import { jsonCodec } from "@rpcgen/runtime/internal/codec/json-codec.js";
import { RawFrameClient } from "../runtime/transport/fixtures/raw-frame-client.js";
import { capturingLogger } from "../runtime/transport/harness.js";
import { makeTestCa, pem, type TestCa } from "./support/test-ca.js";
import { loadVault, startVault, type VaultStubs } from "./support/vault.js";

let ca: TestCa;
let stubs: VaultStubs;
let server: Server;
let port: number;
const logger = capturingLogger();
let background: { stop(): Promise<void>; failures: unknown[]; calls: number };

const preAuthLimit = 1024;
const authTimeoutMs = 400;

beforeAll(async () => {
  ca = makeTestCa();
  stubs = await loadVault("hostile");
  ({ server, port } = await startVault(stubs.module, {
    logger,
    handshakeTimeoutMs: 600,
    tls: { certFile: ca.server.cert, keyFile: ca.server.key, allowPlaintext: true, watch: false, reloadSignal: false },
    auth: { authenticate: staticTokenAuthenticator([{ token: "s3cret", id: "ops" }]), timeoutMs: authTimeoutMs, maxUnauthenticatedRequestBytes: preAuthLimit },
  }));
  background = keepCalling();
});

afterAll(async () => {
  await background?.stop();
  await server?.close({ graceMs: 0 });
  stubs?.dispose();
  ca?.remove();
});

/** An authenticated TLS client calling all along. */
function keepCalling() {
  const channel = new Channel({ address: `127.0.0.1:${port}`, tls: { caFile: ca.ca }, token: "s3cret", logger: silentLogger });
  const vault = new stubs.module["VaultClient"](channel);
  let running = true;
  const state = { failures: [] as unknown[], calls: 0 };
  const loop = async () => {
    while (running) {
      try {
        await vault.slow(2);
        state.calls++;
      } catch (error) {
        state.failures.push(error);
      }
    }
  };
  const done = Promise.all([loop(), loop(), loop(), loop()]);
  return Object.assign(state, {
    async stop() {
      running = false;
      await done;
      await channel.close();
    },
  });
}

/** A raw TCP connection; resolves with what it received and how long it stayed open. */
function rawConnection(write: (socket: Socket) => void): Promise<{ received: Buffer; openMs: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const chunks: Buffer[] = [];
    const socket = connectTcp({ host: "127.0.0.1", port }, () => write(socket));
    socket.on("data", (chunk) => chunks.push(chunk));
    socket.on("error", () => {});
    socket.on("close", () => resolve({ received: Buffer.concat(chunks), openMs: Date.now() - started }));
  });
}

describe("before authentication", () => {
  it("garbage closes the connection", async () => {
    const { received } = await rawConnection((socket) => socket.write(Buffer.alloc(200, 0x07)));
    expect(received.length).toBe(0);
  });

  it("a frame over the pre-authentication limit closes the connection with RESOURCE_EXHAUSTED; after authenticating, the same frame is served", async () => {
    const big = "x".repeat(4 * preAuthLimit);
    const body = jsonCodec.encodeArgs(stubs.module["VaultService"].methods.rotate, [big]);
    const frame = (requestId: number, metadata?: Record<string, string>) => ({
      kind: FrameKind.Call,
      requestId,
      method: "Vault.rotate",
      codec: CodecId.Json,
      flags: 0,
      deadlineMs: 0,
      metadata,
      body,
    });
    const stranger = await RawFrameClient.connect(`127.0.0.1:${port}`);
    stranger.send(frame(1, { authorization: "Bearer s3cret" }));
    const refusal = await stranger.answerTo(0);
    expect(refusal.kind).toBe(FrameKind.Error);
    expect(decodeErrorBody(refusal.body).code).toBe("RESOURCE_EXHAUSTED");
    const member = await RawFrameClient.connect(`127.0.0.1:${port}`);
    member.send({ ...frame(1, { authorization: "Bearer s3cret" }), method: "Vault.add", body: jsonCodec.encodeArgs(stubs.module["VaultService"].methods.add, [1, 2]) });
    expect((await member.answerTo(1)).kind).toBe(FrameKind.Reply);
    member.send(frame(2, { authorization: "Bearer s3cret" }));
    expect((await member.answerTo(2)).kind).toBe(FrameKind.Reply);
    stranger.destroy();
    member.destroy();
  });

  it("a RESP command over the pre-authentication limit closes the connection", async () => {
    const big = "y".repeat(4 * preAuthLimit);
    const { received } = await rawConnection((socket) => socket.write(`*3\r\n$4\r\nCALL\r\n$12\r\nVault.rotate\r\n$${big.length}\r\n${big}\r\n`));
    expect(received.toString()).toMatch(/^-ERR Protocol error: request larger than 1024 bytes before authentication/);
    // Sent in pieces, the unfinished request is cut as soon as it passes the limit.
    const piecewise = await rawConnection((socket) => {
      socket.write(`*3\r\n$4\r\nCALL\r\n$12\r\nVault.rotate\r\n$${big.length}\r\n${big.slice(0, 600)}`);
      setTimeout(() => socket.write(big.slice(600, 1800)), 50);
    });
    expect(piecewise.received.toString()).toMatch(/^-ERR Protocol error: request larger than 1024 bytes before authentication/);
    // Once logged in, the same command is served.
    const { received: answered } = await rawConnection((socket) => {
      socket.write(`AUTH s3cret\r\n*3\r\n$4\r\nCALL\r\n$12\r\nVault.rotate\r\n$${big.length}\r\n${big}\r\nQUIT\r\n`);
    });
    expect(answered.toString()).toBe(`+OK\r\n$${big.length + 8}\r\nrotated ${big}\r\n+OK\r\n`);
  });

  it("a TLS handshake that never finishes is cut at the handshake timeout", async () => {
    const { openMs } = await rawConnection((socket) => socket.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00])));
    expect(openMs).toBeGreaterThanOrEqual(400);
    expect(openMs).toBeLessThan(5000);
  });

  it("a connection that does not authenticate in time is closed, whatever it keeps sending", async () => {
    const { received, openMs } = await rawConnection((socket) => {
      const timer = setInterval(() => socket.write("PING\r\n"), 50);
      socket.on("close", () => clearInterval(timer));
    });
    expect(received.toString().split("\r\n")[0]).toBe("-NOAUTH Authentication required.");
    expect(openMs).toBeGreaterThanOrEqual(authTimeoutMs - 50);
    expect(openMs).toBeLessThan(authTimeoutMs + 3000);
    expect(logger.entries.some((e) => e.msg === "closing connection: not authenticated in time")).toBe(true);
  });

  it("inside TLS too: garbage after the handshake closes only that connection", async () => {
    const closed = await new Promise<boolean>((resolve) => {
      const socket = connectTls({ host: "127.0.0.1", port, ca: pem(ca.ca) }, () => socket.write(Buffer.alloc(100, 0x01)));
      socket.on("error", () => {});
      socket.on("close", () => resolve(true));
    });
    expect(closed).toBe(true);
  });

  it("none of it disturbed the authenticated client", async () => {
    const before = background.calls;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(background.calls).toBeGreaterThan(before);
    expect(background.failures).toEqual([]);
  });
});
