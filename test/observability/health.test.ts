import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { afterEach, describe, expect, it } from "vitest";
import { Channel, silentLogger } from "@rpcgen/runtime";
import { CalculatorClient } from "../../examples/calculator/gen/calculator.js";
import { Cleanup, httpGet, startCalculator } from "./support.js";
import { grpcHealthProto } from "../support/grpc-health-proto.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

/** Sends one inline RESP command on a fresh connection and returns the first reply line. */
function respCommand(port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: "127.0.0.1" });
    socket.once("error", reject);
    socket.once("data", (chunk) => {
      resolve(chunk.toString().trimEnd());
      socket.destroy();
    });
    socket.write(`${line}\r\n`);
  });
}

const healthProto = grpcHealthProto;

type CheckFn = (request: { service: string }, callback: (error: grpc.ServiceError | null, response?: { status: string }) => void) => void;

/** A grpc-js client of grpc.health.v1.Health, from the proto of the health protocol. */
function healthClient(port: number): { check(service: string): Promise<string> } {
  const dir = mkdtempSync(join(tmpdir(), "rpcgen-health-"));
  cleanup.add(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, "health.proto"), healthProto);
  const definition = protoLoader.loadSync(join(dir, "health.proto"), { enums: String });
  const loaded = grpc.loadPackageDefinition(definition) as unknown as { grpc: { health: { v1: { Health: grpc.ServiceClientConstructor } } } };
  const client = new loaded.grpc.health.v1.Health(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as grpc.Client & { Check: CheckFn };
  cleanup.add(() => client.close());
  return {
    check: (service) =>
      new Promise((resolve, reject) =>
        client.Check({ service }, (error, response) => (error ? reject(error) : resolve(response!.status))),
      ),
  };
}

describe("health", () => {
  it("GET /health is 200 SERVING, and 503 NOT_SERVING from the start of close() through the drain delay", async () => {
    const { server, port, address } = await startCalculator(cleanup, { observability: { drainDelayMs: 400 } });
    expect(await httpGet(port, "/health")).toMatchObject({ status: 200, body: '{\n  "status": "SERVING"\n}\n' });
    const closed = server.close({ graceMs: 1000 });
    // Still accepting connections and calls during the delay, but not ready.
    const during = await httpGet(port, "/health");
    expect(during.status).toBe(503);
    expect(JSON.parse(during.body)).toEqual({ status: "NOT_SERVING" });
    const channel = new Channel({ address, logger: silentLogger });
    expect(await new CalculatorClient(channel).add(1, 2)).toBe(3);
    await channel.close();
    expect(await respCommand(port, "RPC.HEALTH")).toBe("+NOT_SERVING");
    await closed;
    await expect(httpGet(port, "/health")).rejects.toThrow();
  });

  it("the application sets readiness, for the server or one service", async () => {
    const { server, port } = await startCalculator(cleanup);
    server.observability.health.setServing(false);
    expect((await httpGet(port, "/health")).status).toBe(503);
    expect(await respCommand(port, "RPC.HEALTH")).toBe("+NOT_SERVING");
    server.observability.health.setServing(true);
    expect((await httpGet(port, "/health")).status).toBe(200);
    server.observability.health.setServing(false, "Calculator");
    expect((await httpGet(port, "/health?service=Calculator")).status).toBe(503);
    expect((await httpGet(port, "/health")).status).toBe(200);
    expect(await respCommand(port, "RPC.HEALTH Calculator")).toBe("+NOT_SERVING");
    expect(await respCommand(port, "RPC.HEALTH")).toBe("+SERVING");
    expect(await httpGet(port, "/health?service=Nothing")).toMatchObject({ status: 404 });
    expect(await respCommand(port, "RPC.HEALTH Nothing")).toBe("-ERR unknown service 'Nothing'");
  });

  it("answers the gRPC health protocol: Check per server and service, NOT_FOUND for unknown services", async () => {
    const { server, port } = await startCalculator(cleanup, { observability: { drainDelayMs: 300 } });
    const health = healthClient(port);
    expect(await health.check("")).toBe("SERVING");
    expect(await health.check("calculator.Calculator")).toBe("SERVING");
    expect(await health.check("Calculator")).toBe("SERVING");
    await expect(health.check("nope.Nothing")).rejects.toMatchObject({ code: grpc.status.NOT_FOUND });
    server.observability.health.setServing(false, "Calculator");
    expect(await health.check("calculator.Calculator")).toBe("NOT_SERVING");
    server.observability.health.setServing(true, "Calculator");
    const closed = server.close({ graceMs: 1000 });
    expect(await health.check("")).toBe("NOT_SERVING");
    await closed;
  });
});
