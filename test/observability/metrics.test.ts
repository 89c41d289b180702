import { Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import { Channel, RespChannel, Server, observeClient, serveMetrics, silentLogger, withInterceptors } from "@rpcgen/runtime";
import { CalculatorClient, CalculatorService, DivideByZero } from "../../examples/calculator/gen/calculator.js";
import { Cleanup, httpGet, sample, startCalculator, rawRespCommand } from "./support.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

const duration = "rpc_server_duration_seconds";

describe("server metrics on the service port", () => {
  it("count calls per rpc.system, service, method and status code, served as GET /metrics in Prometheus text", async () => {
    const registry = new Registry();
    const { port, address } = await startCalculator(cleanup, { observability: { metrics: { registry } } });
    const channel = new Channel({ address, logger: silentLogger });
    cleanup.add(() => channel.close());
    const resp = new RespChannel({ port });
    cleanup.add(() => resp.close());
    const frames = new CalculatorClient(channel);
    const overResp = new CalculatorClient(resp);
    for (let i = 0; i < 5; i++) expect(await overResp.add(1, 2)).toBe(3);
    for (let i = 0; i < 3; i++) expect(await frames.add(i, i)).toBe(2 * i);
    await expect(frames.divide(1, 0)).rejects.toBeInstanceOf(DivideByZero);

    const { status, type, body } = await httpGet(port, "/metrics");
    expect(status).toBe(200);
    expect(type).toContain("text/plain");
    expect(body).toContain("# TYPE rpc_server_duration_seconds histogram");
    expect(sample(body, `${duration}_count`, { rpc_system: "resp", rpc_service: "Calculator", rpc_method: "add", rpc_response_status_code: "OK" })).toBe(5);
    expect(sample(body, `${duration}_count`, { rpc_system: "rpcgen", rpc_service: "Calculator", rpc_method: "add", rpc_response_status_code: "OK" })).toBe(3);
    expect(
      sample(body, `${duration}_count`, { rpc_system: "rpcgen", rpc_method: "divide", rpc_response_status_code: "UNKNOWN", error_type: "DivideByZero" }),
    ).toBe(1);
    // Cumulative buckets end at +Inf with the count; the sum is a positive duration.
    expect(sample(body, `${duration}_bucket`, { rpc_system: "resp", rpc_method: "add", le: "+Inf" })).toBe(5);
    expect(sample(body, `${duration}_sum`, { rpc_system: "resp", rpc_method: "add" })).toBeGreaterThan(0);
    // The scrape's own HTTP/1.1 connection is open, and the two client connections.
    expect(sample(body, "rpc_server_connections", { protocol: "rpcgen" })).toBe(1);
    expect(sample(body, "rpc_server_connections", { protocol: "resp" })).toBe(1);
    expect(sample(body, "rpc_server_connections", { protocol: "http" })).toBe(1);
    expect(sample(body, "rpc_server_queued_reply_bytes", {})).toBe(0);
    expect(sample(body, "rpc_server_serving", {})).toBe(1);
  });

  it("counts calls refused before the handler; an unknown method is _OTHER, never its name", async () => {
    const registry = new Registry();
    const { port } = await startCalculator(cleanup, { observability: { metrics: { registry } } });
    const resp = new RespChannel({ port });
    cleanup.add(() => resp.close());
    const random = `Calculator.m${Math.random().toString(36).slice(2)}`;
    const unknown = { ...CalculatorService.methods["add"]!, fullName: random };
    await expect(resp.invoke(unknown, [1, 2])).rejects.toMatchObject({ code: "UNIMPLEMENTED" });
    // A wrong argument is refused by the dispatch's check: INVALID_ARGUMENT, labelled with the method.
    const reply = await rawRespCommand(cleanup, port, "CALL Calculator.add one 2");
    expect(reply).toMatch(/^-INVALID_ARGUMENT/);
    const { body } = await httpGet(port, "/metrics");
    expect(body).not.toContain(random.slice("Calculator.".length));
    expect(sample(body, `${duration}_count`, { rpc_service: "_OTHER", rpc_method: "_OTHER", rpc_response_status_code: "UNIMPLEMENTED" })).toBe(1);
    expect(sample(body, `${duration}_count`, { rpc_method: "add", rpc_response_status_code: "INVALID_ARGUMENT" })).toBe(1);
  });

  it("a call that outlives its deadline is counted as DEADLINE_EXCEEDED or CANCELLED (the client gave up), not as the late value", async () => {
    const registry = new Registry();
    const server = new Server({ logger: silentLogger, observability: { metrics: { registry } } });
    const slow = { add: () => new Promise<number>((resolve) => setTimeout(() => resolve(3), 150)) };
    server.addService(CalculatorService, { ...slow, subtract: () => 0, multiply: () => 0n, divide: () => 0, log: () => {}, calculate: () => ({}) });
    const { port } = await server.listen({ port: 0 });
    cleanup.add(() => server.close({ graceMs: 1000 }));
    const channel = new Channel({ address: `127.0.0.1:${port}`, logger: silentLogger });
    cleanup.add(() => channel.close());
    await expect(new CalculatorClient(channel).add(1, 2, { timeoutMs: 40 })).rejects.toMatchObject({ code: "DEADLINE_EXCEEDED" });
    await new Promise((resolve) => setTimeout(resolve, 250));
    const { body } = await httpGet(port, "/metrics");
    // The server's deadline and the client's cancel race: either way the caller did not get the handler's value.
    const expired = sample(body, `${duration}_count`, { rpc_method: "add", rpc_response_status_code: "DEADLINE_EXCEEDED" }) ?? 0;
    const cancelled = sample(body, `${duration}_count`, { rpc_method: "add", rpc_response_status_code: "CANCELLED" }) ?? 0;
    expect(expired + cancelled).toBe(1);
    expect(sample(body, `${duration}_count`, { rpc_method: "add", rpc_response_status_code: "OK" })).toBeUndefined();
  });

  it("GET /metrics is 404 on a server without metrics", async () => {
    const { port } = await startCalculator(cleanup);
    const { status, body } = await httpGet(port, "/metrics");
    expect(status).toBe(404);
    expect(body).toContain("observability.metrics");
  });
});

describe("client metrics", () => {
  it("observeClient counts calls per method and outcome, and serveMetrics serves them on an address of its own", async () => {
    const registry = new Registry();
    const { address } = await startCalculator(cleanup);
    const channel = new Channel({ address, logger: silentLogger });
    cleanup.add(() => channel.close());
    const client = new CalculatorClient(withInterceptors(channel, observeClient({ metrics: { registry } })));
    expect(await client.add(2, 2)).toBe(4);
    expect(await client.add(2, 3)).toBe(5);
    await expect(client.divide(2, 0)).rejects.toBeInstanceOf(DivideByZero);
    const listener = await serveMetrics({ registry, host: "127.0.0.1", port: 0 });
    cleanup.add(() => listener.close());
    const { status, body } = await httpGet(listener.address.port, "/metrics");
    expect(status).toBe(200);
    expect(sample(body, "rpc_client_duration_seconds_count", { rpc_system: "rpcgen", rpc_service: "Calculator", rpc_method: "add", rpc_response_status_code: "OK" })).toBe(2);
    expect(sample(body, "rpc_client_duration_seconds_count", { rpc_method: "divide", rpc_response_status_code: "UNKNOWN", error_type: "DivideByZero" })).toBe(1);
    expect((await httpGet(listener.address.port, "/other")).status).toBe(404);
  });
});
