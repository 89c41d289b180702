import { describe, expect, it } from "vitest";
import { defaultLogger, silentLogger } from "@rpcgen/runtime";

describe("loggers", () => {
  it("defaults to one pino logger at level warn", () => {
    const logger = defaultLogger();
    expect(logger).toBe(defaultLogger());
    expect((logger as unknown as { level: string }).level).toBe("warn");
    for (const method of ["debug", "info", "warn", "error"] as const) expect(typeof logger[method]).toBe("function");
  });

  it("has a silent logger that accepts both call shapes", () => {
    expect(() => {
      silentLogger.warn({ peer: "x" }, "message");
      silentLogger.error("message only");
    }).not.toThrow();
  });
});
