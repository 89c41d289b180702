import { afterEach, describe, expect, it } from "vitest";
import { Channel, RespChannel, observeClient, silentLogger, withInterceptors } from "@rpcgen/runtime";
import { CalculatorClient, CalculatorService, DivideByZero } from "../../examples/calculator/gen/calculator.js";
import { Cleanup, recordingLogger, startCalculator } from "./support.js";

const cleanup = new Cleanup();
afterEach(() => cleanup.run());

describe("call and connection logs", () => {
  it("one line per failed or refused call with method, peer, code and trace id, and per connection opened and closed", async () => {
    const logger = recordingLogger();
    const { address, port } = await startCalculator(cleanup, { logger, observability: { logs: true } });
    const channel = new Channel({ address, logger: silentLogger });
    const client = new CalculatorClient(channel);
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    expect(await client.add(1, 2)).toBe(3);
    await expect(client.divide(1, 0, { metadata: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } })).rejects.toBeInstanceOf(DivideByZero);
    const resp = new RespChannel({ port });
    await expect(resp.invoke({ ...CalculatorService.methods["add"]!, fullName: "Calculator.nothing" }, [1, 2])).rejects.toMatchObject({ code: "UNIMPLEMENTED" });
    await channel.close();
    await resp.close();
    await new Promise((resolve) => setTimeout(resolve, 50));

    const info = logger.lines.filter((line) => line.level === "info");
    const failed = info.filter((line) => line.msg === "call failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]!.fields).toMatchObject({ method: "Calculator.divide", protocol: "rpcgen", code: "UNKNOWN", errorType: "DivideByZero", traceId });
    expect(failed[0]!.fields["peer"]).toMatch(/^127\.0\.0\.1:\d+$/);
    const refused = info.filter((line) => line.msg === "call refused");
    expect(refused).toHaveLength(1);
    expect(refused[0]!.fields).toMatchObject({ method: "Calculator.nothing", protocol: "resp", code: "UNIMPLEMENTED" });
    const connections = info.filter((line) => line.msg === "connection opened" || line.msg === "connection closed");
    expect(connections.map((line) => `${line.msg} ${String(line.fields["protocol"])}`).sort()).toEqual([
      "connection closed resp",
      "connection closed rpcgen",
      "connection opened resp",
      "connection opened rpcgen",
    ]);
  });

  it("a client logs its failed calls with the trace id of its span", async () => {
    const { address } = await startCalculator(cleanup);
    const logger = recordingLogger();
    const channel = new Channel({ address, logger: silentLogger });
    cleanup.add(() => channel.close());
    const client = new CalculatorClient(withInterceptors(channel, observeClient({ logger })));
    expect(await client.add(2, 2)).toBe(4);
    await expect(client.divide(3, 0)).rejects.toBeInstanceOf(DivideByZero);
    expect(logger.lines).toEqual([
      { level: "info", fields: { method: "Calculator.divide", rpcSystem: "rpcgen", code: "UNKNOWN", errorType: "DivideByZero", traceId: undefined }, msg: "call failed" },
    ]);
  });

  it("a server without logs on writes no call or connection lines", async () => {
    const logger = recordingLogger();
    const { address } = await startCalculator(cleanup, { logger });
    const channel = new Channel({ address, logger: silentLogger });
    await expect(new CalculatorClient(channel).divide(1, 0)).rejects.toBeInstanceOf(DivideByZero);
    await channel.close();
    expect(logger.lines.filter((line) => line.level === "info")).toEqual([]);
  });
});
