/**
 * The server's limits over HTTP/1.1 and HTTP/2 (gRPC and Connect): idle and
 * handshake sweeps, request size, calls in flight per connection, the
 * connection limit, and a graceful drain that lets calls in flight finish.
 */
import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { once } from "node:events";
import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { calculatorStubs, serveCalculator, type CalculatorStubs } from "./support/calculator.js";
import { closedWithin, http2Session, rawGrpcCall, rawSocket } from "./support/raw-peers.js";

let stubs: CalculatorStubs;

beforeAll(async () => {
  stubs = await calculatorStubs("http-limits");
});

afterAll(() => stubs?.dispose());

const addRequest = (body: string, extra = "") =>
  `POST /calculator.Calculator/add HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n${body}`;

/** `Calculator_divide_args { dividend, divisor }` in protobuf (both small positive or -1). */
function divideArgs(dividend: number, divisor: number): Buffer {
  const varint = (n: number): number[] => {
    const out: number[] = [];
    let v = BigInt.asUintN(64, BigInt(n));
    while (v > 0x7fn) {
      out.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    out.push(Number(v));
    return out;
  };
  return Buffer.from([0x08, ...varint(dividend), 0x10, ...varint(divisor)]);
}

describe("idle and handshake sweeps", () => {
  it("an idle HTTP/1.1 keep-alive connection is closed; one that never finishes its request too", async () => {
    const running = await serveCalculator(stubs.module, { idleTimeoutMs: 300, handshakeTimeoutMs: 300 });
    try {
      const idle = await rawSocket(running.port);
      const idleClosed = closedWithin(idle, 3000);
      idle.write(addRequest('{"a":1,"b":2}'));
      expect(await idleClosed).toContain('{"success":3}');
      const partial = await rawSocket(running.port);
      const partialClosed = closedWithin(partial, 3000);
      // Headers complete, body never: a partial request is not activity.
      partial.write(`POST /calculator.Calculator/add HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":`);
      expect(await partialClosed).toBe("");
    } finally {
      await running.server.close({ graceMs: 1000 });
    }
  });

  it("an idle HTTP/2 connection gets GOAWAY and is closed; one that only sends the preface too", async () => {
    const running = await serveCalculator(stubs.module, { idleTimeoutMs: 300, handshakeTimeoutMs: 300 });
    try {
      const session = await http2Session(running.port);
      const reply = await rawGrpcCall(session, "/calculator.Calculator/divide", divideArgs(6, 3));
      expect(reply.status).toBe("0");
      await once(session, "goaway");
      await once(session, "close");
      const silent = await rawSocket(running.port);
      const silentClosed = closedWithin(silent, 3000);
      silent.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
      await silentClosed;
    } finally {
      await running.server.close({ graceMs: 1000 });
    }
  });
});

describe("request size", () => {
  it("an HTTP/1.1 body over maxFrameBytes is 413 and the connection closes", async () => {
    const running = await serveCalculator(stubs.module, { maxFrameBytes: 64 });
    try {
      const socket = await rawSocket(running.port);
      const closed = closedWithin(socket, 3000);
      socket.write(addRequest(`{"a":1,"b":2,"pad":"${"x".repeat(100)}"}`));
      expect(await closed).toMatch(/^HTTP\/1\.1 413 /);
    } finally {
      await running.server.close({ graceMs: 1000 });
    }
  });

  it("a gRPC message over maxFrameBytes is RESOURCE_EXHAUSTED for that stream only", async () => {
    const running = await serveCalculator(stubs.module, { maxFrameBytes: 64 });
    try {
      const session = await http2Session(running.port);
      const big = await rawGrpcCall(session, "/calculator.Calculator/log", Buffer.concat([Buffer.from([0x0a, 100]), Buffer.alloc(100, 0x61)]));
      expect(big.status).toBe(String(grpc.status.RESOURCE_EXHAUSTED));
      expect((await rawGrpcCall(session, "/calculator.Calculator/divide", divideArgs(9, 3))).status).toBe("0");
      session.close();
    } finally {
      await running.server.close({ graceMs: 1000 });
    }
  });
});

describe("the server's reply budget over HTTP/1.1", () => {
  it("a client that does not read its replies starts no new call while the server is over budget", async () => {
    const logged: string[] = [];
    const running = await serveCalculator(stubs.module, { maxServerPendingBytes: 1024, maxFrameBytes: 64 * 1024 * 1024 }, logged);
    try {
      const socket = await rawSocket(running.port);
      // A reply of ~20 MB (i64 results as JSON strings): more than the kernel's socket buffers take.
      const batch = JSON.stringify({ batch: [{ num1: 0, num2: 0, op: 1, comment: "repeat:1500000" }] });
      const big = `POST /calculator.Calculator/calculate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${batch.length}\r\n\r\n${batch}`;
      const log = `POST /calculator.Calculator/log HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{"line":"next"}`;
      // A large reply the client does not read, then (once it is stuck) a pipelined oneway call.
      socket.pause();
      socket.write(big);
      await new Promise((resolve) => setTimeout(resolve, 300));
      socket.write(log);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(logged).toEqual([]);
      // Once the client reads, the held call runs.
      socket.resume();
      await expect.poll(() => logged, { timeout: 5000 }).toEqual(["next|"]);
      socket.destroy();
    } finally {
      await running.server.close({ graceMs: 1000 });
    }
  });
});

describe("calls in flight per connection", () => {
  it("HTTP/2 streams beyond maxInFlightPerConnection wait in the client (SETTINGS_MAX_CONCURRENT_STREAMS)", async () => {
    const running = await serveCalculator(stubs.module, { maxInFlightPerConnection: 2 });
    try {
      const session = await http2Session(running.port);
      await once(session, "remoteSettings");
      expect(session.remoteSettings.maxConcurrentStreams).toBe(2);
      const started = Date.now();
      // Six calls of 150 ms each, two at a time: at least three rounds.
      const replies = await Promise.all(Array.from({ length: 6 }, () => rawGrpcCall(session, "/calculator.Calculator/divide", divideArgs(150, -1))));
      expect(replies.map((r) => r.status)).toEqual(Array(6).fill("0"));
      expect(Date.now() - started).toBeGreaterThanOrEqual(440);
      session.close();
    } finally {
      await running.server.close({ graceMs: 1000 });
    }
  });
});

describe("the connection limit", () => {
  it("a newcomer when every connection is busy: GOAWAY over HTTP/2, 503 over HTTP/1.1", async () => {
    const running = await serveCalculator(stubs.module, { maxConnections: 1 });
    try {
      const busy = await http2Session(running.port);
      const slow = rawGrpcCall(busy, "/calculator.Calculator/divide", divideArgs(800, -1));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const refused = await rawSocket(running.port);
      const refusedClosed = closedWithin(refused, 3000);
      refused.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
      // The server's SETTINGS and then a GOAWAY frame (type 7) saying why.
      expect(Buffer.from(await refusedClosed, "latin1").includes(Buffer.from("server is at its limit"))).toBe(true);
      const refusedHttp1 = await rawSocket(running.port);
      const http1Closed = closedWithin(refusedHttp1, 3000);
      refusedHttp1.write(addRequest('{"a":1,"b":2}'));
      expect(await http1Closed).toMatch(/^HTTP\/1\.1 503 /);
      expect((await slow).status).toBe("0");
      busy.close();
    } finally {
      await running.server.close({ graceMs: 1000 });
    }
  });
});

describe("graceful drain", () => {
  it("calls in flight over gRPC and HTTP/1.1 finish; the server then closes", async () => {
    const logged: string[] = [];
    const running = await serveCalculator(stubs.module, {}, logged);
    const definition = loadSync(stubs.protoPath, { keepCase: true });
    const Calculator = (grpc.loadPackageDefinition(definition) as any).calculator.Calculator;
    const client = new Calculator(running.address, grpc.credentials.createInsecure());
    try {
      const viaGrpc = new Promise<any>((resolve, reject) => client.divide({ dividend: 400, divisor: -1 }, (e: unknown, r: unknown) => (e ? reject(e) : resolve(r))));
      const viaHttp = new Promise<string>((resolve, reject) => {
        const req = httpRequest({ host: "127.0.0.1", port: running.port, method: "POST", path: "/calculator.Calculator/divide", headers: { "content-type": "application/json" } }, (res) => {
          let body = "";
          res.on("data", (chunk) => (body += chunk));
          res.on("end", () => resolve(`${res.statusCode} ${body}`));
        });
        req.on("error", reject);
        req.end('{"dividend":400,"divisor":-1}');
      });
      // Both calls are in their handler (not merely sent: on a loaded machine grpc-js may not have connected yet).
      await expect.poll(() => logged.filter((line) => line.startsWith("slow 400")).length).toBe(2);
      const closed = running.server.close({ graceMs: 5000 });
      expect(await viaGrpc).toEqual({ success: -400 });
      expect(await viaHttp).toBe('200 {"success":-400}');
      await closed;
      expect(running.server.connectionCount).toBe(0);
    } finally {
      client.close();
    }
  });
});
