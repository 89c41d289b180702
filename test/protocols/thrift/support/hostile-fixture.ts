import { afterAll, beforeAll, expect } from "vitest";
import { ThriftChannel } from "@rpcgen/runtime";
import { CalculatorClient } from "../../../../examples/calculator/gen/calculator.js";
import { startCalculator, type RunningCalculator } from "./calculator-server.js";
import type { CapturingLogger } from "./raw-thrift.js";

/** A calculator that hostile connections are thrown at, beside a client connected all along. */
export interface HostileFixture {
  /** The server's port, once beforeAll has run. */
  readonly port: number;
  /** The steady client's connection was never dropped and still answers. */
  stillServing(): Promise<void>;
}

/** Starts the server and the steady client in beforeAll (64 KiB frame limit), closes both in afterAll. */
export function useHostileFixture(logger: CapturingLogger): HostileFixture {
  let calculator: RunningCalculator | undefined;
  let steady: ThriftChannel | undefined;
  let steadyDisconnects = 0;
  beforeAll(async () => {
    calculator = await startCalculator({ logger, maxFrameBytes: 64 * 1024 });
    steady = new ThriftChannel({ address: `127.0.0.1:${calculator.port}`, protocol: "compact" });
    steady.on("disconnected", () => steadyDisconnects++);
    expect(await new CalculatorClient(steady).add(1, 1)).toBe(2);
  });
  afterAll(async () => {
    await steady?.close();
    await calculator?.close();
  });
  return {
    get port() {
      return calculator!.port;
    },
    async stillServing() {
      expect(await new CalculatorClient(steady!).add(40, 2)).toBe(42);
      expect(steadyDisconnects).toBe(0);
    },
  };
}
