/**
 * `grpc.health.v1.Health/Watch` judged by grpc-js loading the standard
 * health.proto: the status, then each change, NOT_SERVING when shutdown starts
 * and the end of the call when the server drains; and the watch's own bounds
 * (watches per connection, one message at a time for a client that does not read).
 * Changes reach watchers through one listener on the server's HealthState, as
 * they happen: no timer looks at the status.
 */
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http2 from "node:http2";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Server, silentLogger, type ServerOptions } from "@rpcgen/runtime";
import { HealthState } from "@rpcgen/runtime/internal/observability/health/health-state.js";
import { HealthWatch, HealthWatches, maxHealthWatchesPerConnection, type WatchSink } from "@rpcgen/runtime/internal/protocols/grpc/grpc-health-watch.js";
import { registerCalculator } from "../../../examples/calculator/gen/calculator.js";
import { CalculatorHandlerImpl } from "../../../examples/calculator/calculator-handler.js";
import { grpcHealthProto } from "../../support/grpc-health-proto.js";

const healthProto = grpcHealthProto;

let protoDir: string;
let Health: grpc.ServiceClientConstructor;
const closers: Array<() => unknown> = [];

beforeAll(() => {
  protoDir = mkdtempSync(join(tmpdir(), "rpcgen-health-watch-"));
  writeFileSync(join(protoDir, "health.proto"), healthProto);
  const definition = protoLoader.loadSync(join(protoDir, "health.proto"), { enums: String });
  Health = (grpc.loadPackageDefinition(definition) as any).grpc.health.v1.Health;
});

afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
});

afterAll(() => rmSync(protoDir, { recursive: true, force: true }));

async function serve(options: ServerOptions = {}): Promise<{ server: Server; address: string }> {
  const server = new Server({ logger: silentLogger, ...options });
  registerCalculator(server, new CalculatorHandlerImpl());
  const { port } = await server.listen({ host: "127.0.0.1", port: 0 });
  closers.push(() => server.close({ graceMs: 1000 }));
  return { server, address: `127.0.0.1:${port}` };
}

interface Watching {
  readonly statuses: string[];
  /** The call's end: its status code and details. */
  readonly ended: Promise<{ code: number; details: string }>;
  cancel(): void;
}

/** A grpc-js client with a connection of its own (grpc-js otherwise shares one per address). */
function healthClient(address: string): grpc.Client & Record<string, any> {
  const client = new Health(address, grpc.credentials.createInsecure(), { "grpc.use_local_subchannel_pool": 1 }) as grpc.Client & Record<string, any>;
  closers.push(() => client.close());
  return client;
}

function watch(client: grpc.Client & Record<string, any>, service: string, options: grpc.CallOptions = {}): Watching {
  const call: grpc.ClientReadableStream<{ status: string }> = client.Watch({ service }, options);
  const statuses: string[] = [];
  call.on("data", (response) => statuses.push(response.status));
  const ended = new Promise<{ code: number; details: string }>((resolve) => {
    call.on("error", () => {});
    call.on("status", (status) => resolve({ code: status.code, details: status.details }));
  });
  return { statuses, ended, cancel: () => call.cancel() };
}

describe("grpc-js watching rpcgen's health", () => {
  it("sees SERVING, each change, then NOT_SERVING and the end of the call on close()", async () => {
    const { server, address } = await serve();
    const whole = watch(healthClient(address), "");
    await expect.poll(() => whole.statuses).toEqual(["SERVING"]);
    expect(server.observability.health.listenerCount).toBe(1);
    server.observability.health.setServing(false);
    await expect.poll(() => whole.statuses).toEqual(["SERVING", "NOT_SERVING"]);
    server.observability.health.setServing(true);
    await expect.poll(() => whole.statuses).toEqual(["SERVING", "NOT_SERVING", "SERVING"]);
    const started = Date.now();
    // A long grace: the watch must not hold the drain back.
    await server.close({ graceMs: 10_000 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(whole.statuses).toEqual(["SERVING", "NOT_SERVING", "SERVING", "NOT_SERVING"]);
    expect(await whole.ended).toEqual({ code: grpc.status.UNAVAILABLE, details: "the server is shutting down" });
    expect(server.observability.health.listenerCount).toBe(0);
  });

  it("turns NOT_SERVING at the start of close(), while the drain delay keeps the call open", async () => {
    const { server, address } = await serve({ observability: { drainDelayMs: 500 } });
    const whole = watch(healthClient(address), "");
    await expect.poll(() => whole.statuses).toEqual(["SERVING"]);
    const closed = server.close({ graceMs: 5000 });
    await expect.poll(() => whole.statuses).toEqual(["SERVING", "NOT_SERVING"]);
    await closed;
    expect((await whole.ended).code).toBe(grpc.status.UNAVAILABLE);
  });

  it("watches one service by its proto name; an unknown service is SERVICE_UNKNOWN and the call stays open", async () => {
    const { server, address } = await serve();
    const client = healthClient(address);
    const calculator = watch(client, "calculator.Calculator");
    const unknown = watch(client, "nope.Nothing");
    await expect.poll(() => calculator.statuses).toEqual(["SERVING"]);
    await expect.poll(() => unknown.statuses).toEqual(["SERVICE_UNKNOWN"]);
    server.observability.health.setServing(false, "Calculator");
    await expect.poll(() => calculator.statuses).toEqual(["SERVING", "NOT_SERVING"]);
    expect(server.observability.health.listenerCount).toBe(1);
    unknown.cancel();
    expect((await unknown.ended).code).toBe(grpc.status.CANCELLED);
    calculator.cancel();
    await calculator.ended;
    // Both streams closed: the watches let go of the server's status.
    await expect.poll(() => server.observability.health.listenerCount).toBe(0);
    // The cancelled watch is gone from the server: close() does not wait for it.
    const started = Date.now();
    await server.close({ graceMs: 10_000 });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(unknown.statuses).toEqual(["SERVICE_UNKNOWN"]);
  });

  it("with authentication on (an environment per connection), watches on two connections share the server's one listener", async () => {
    const { server, address } = await serve({ auth: { authenticate: () => ({ id: "anyone" }) } });
    const first = watch(healthClient(address), "");
    const second = watch(healthClient(address), "");
    await expect.poll(() => [first.statuses, second.statuses]).toEqual([["SERVING"], ["SERVING"]]);
    expect(server.observability.health.listenerCount).toBe(1);
    server.observability.health.setServing(false);
    await expect
      .poll(() => [first.statuses, second.statuses])
      .toEqual([
        ["SERVING", "NOT_SERVING"],
        ["SERVING", "NOT_SERVING"],
      ]);
    first.cancel();
    second.cancel();
    await Promise.all([first.ended, second.ended]);
    await expect.poll(() => server.observability.health.listenerCount).toBe(0);
  });

  it("a watch past its deadline ends DEADLINE_EXCEEDED", async () => {
    const { address } = await serve();
    const timed = watch(healthClient(address), "", { deadline: Date.now() + 300 });
    expect((await timed.ended).code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(timed.statuses).toEqual(["SERVING"]);
  });

  it("the server ends a watch at its grpc-timeout itself (a raw HTTP/2 client that keeps no deadline)", async () => {
    const { server, address } = await serve();
    const session = http2.connect(`http://${address}`);
    session.on("error", () => {});
    closers.push(() => session.destroy());
    const stream = session.request({ ":method": "POST", ":path": "/grpc.health.v1.Health/Watch", "content-type": "application/grpc", te: "trailers", "grpc-timeout": "200m" });
    stream.on("error", () => {});
    stream.resume();
    stream.end(Buffer.from([0, 0, 0, 0, 0]));
    const [trailers] = (await once(stream, "trailers")) as [http2.IncomingHttpHeaders];
    expect(trailers["grpc-status"]).toBe(String(grpc.status.DEADLINE_EXCEEDED));
    await expect.poll(() => server.observability.health.listenerCount).toBe(0);
  });

  it(`at most ${maxHealthWatchesPerConnection} watches per connection: one more is RESOURCE_EXHAUSTED, the others go on`, async () => {
    const { server, address } = await serve();
    const client = healthClient(address);
    const watches = Array.from({ length: maxHealthWatchesPerConnection }, () => watch(client, ""));
    for (const open of watches) await expect.poll(() => open.statuses).toEqual(["SERVING"]);
    const refused = watch(client, "");
    expect(await refused.ended).toMatchObject({ code: grpc.status.RESOURCE_EXHAUSTED });
    // Another connection has its own allowance.
    const other = watch(healthClient(address), "");
    await expect.poll(() => other.statuses).toEqual(["SERVING"]);
    watches[0]!.cancel();
    await watches[0]!.ended;
    const again = watch(client, "");
    await expect.poll(() => again.statuses).toEqual(["SERVING"]);
    server.observability.health.setServing(false);
    for (const open of [...watches.slice(1), other, again]) await expect.poll(() => open.statuses.at(-1)).toBe("NOT_SERVING");
  });
});

describe("a watcher that does not read", () => {
  it("over HTTP/2: with its window shut, five changes reach it as the first status and the latest", async () => {
    const { server, address } = await serve();
    // A stream window of 0: the server may send headers but no DATA until the client opens it.
    const session = http2.connect(`http://${address}`, { settings: { initialWindowSize: 0 } });
    session.on("error", () => {});
    closers.push(() => session.destroy());
    await once(session, "remoteSettings");
    const stream = session.request({ ":method": "POST", ":path": "/grpc.health.v1.Health/Watch", "content-type": "application/grpc", te: "trailers" });
    stream.on("error", () => {});
    const received: number[] = [];
    let pending = Buffer.alloc(0);
    stream.on("data", (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 7) {
        received.push(pending[6]!);
        pending = pending.subarray(7);
      }
    });
    stream.end(Buffer.from([0, 0, 0, 0, 0]));
    await once(stream, "response");
    for (let i = 0; i < 5; i++) server.observability.health.setServing(i % 2 === 1);
    expect(received).toEqual([]);
    session.settings({ initialWindowSize: 65_535 });
    await expect.poll(() => received).toEqual([1, 2]);
    // One more change: it follows at once, with nothing queued from the flips before it.
    server.observability.health.setServing(true);
    await expect.poll(() => received).toEqual([1, 2, 1]);
  });

  /** A sink whose writes complete only when the test says (HTTP/2 flow control holding them). */
  function heldSink() {
    const writes: number[] = [];
    const pending: Array<(error?: Error | null) => void> = [];
    const ends: number[] = [];
    const sink: WatchSink = {
      write: (frame, done) => {
        writes.push(frame[6]!);
        pending.push(done);
      },
      end: (status) => void ends.push(status),
    };
    return { sink, writes, ends, release: () => pending.shift()?.() };
  }

  it("holds one message, however often the status changes; the latest goes out when it reads", () => {
    const { sink, writes, release } = heldSink();
    const watch = new HealthWatch(sink, "", true, undefined);
    watch.report(1);
    for (let i = 0; i < 10_000; i++) watch.report(i % 2 === 0 ? 2 : 1);
    expect(writes).toEqual([1]);
    watch.report(2);
    release();
    expect(writes).toEqual([1, 2]);
    // Back to what was last sent before the write completed: nothing new to send.
    watch.report(1);
    watch.report(2);
    release();
    expect(writes).toEqual([1, 2]);
  });

  it("HealthWatches on a real HealthState: each change is written during the call that makes it, with no timer", () => {
    const health = new HealthState();
    const watches = new HealthWatches(health);
    const writes: number[] = [];
    const ends: number[] = [];
    const sink: WatchSink = { write: (frame, done) => (writes.push(frame[6]!), done()), end: (status) => void ends.push(status) };
    const connection = {};
    const forget = watches.watch(sink, connection, "", true, undefined);
    expect(writes).toEqual([1]);
    expect(health.listenerCount).toBe(1);
    health.setServing(false);
    expect(writes).toEqual([1, 2]);
    health.setServing(false); // no change: nothing written
    health.setServing(true);
    expect(writes).toEqual([1, 2, 1]);
    health.markShuttingDown();
    expect(writes).toEqual([1, 2, 1, 2]);
    expect(ends).toEqual([]);
    health.markClosing();
    expect(ends).toEqual([grpc.status.UNAVAILABLE]);
    forget();
    forget(); // the stream's close may come after an earlier forget: counted once
    expect(health.listenerCount).toBe(0);
    expect(watches.size).toBe(0);
    expect(watches.refusal(connection)).toBeUndefined();
  });

  it(`HealthWatches refuses the ${maxHealthWatchesPerConnection + 1}th watch of a connection and takes it again once one is forgotten`, () => {
    const health = new HealthState();
    const watches = new HealthWatches(health);
    const sink: WatchSink = { write: (_frame, done) => done(), end: () => {} };
    const connection = {};
    const forgets = Array.from({ length: maxHealthWatchesPerConnection }, () => watches.watch(sink, connection, "", true, undefined));
    expect(watches.refusal(connection)).toBe(`too many health watches (at most ${maxHealthWatchesPerConnection} per connection)`);
    expect(watches.refusal({})).toBeUndefined();
    expect(health.listenerCount).toBe(1);
    forgets[0]!();
    expect(watches.refusal(connection)).toBeUndefined();
    for (const forget of forgets) forget();
    expect(health.listenerCount).toBe(0);
  });

  it("ends after the latest status is written, and not before", () => {
    const { sink, writes, ends, release } = heldSink();
    const watch = new HealthWatch(sink, "", true, undefined);
    watch.report(1);
    watch.report(2);
    watch.finish(14, "the server is shutting down");
    watch.report(1); // after finish: ignored
    expect(ends).toEqual([]);
    release();
    expect(writes).toEqual([1, 2]);
    expect(ends).toEqual([]);
    release();
    expect(ends).toEqual([14]);
  });
});
