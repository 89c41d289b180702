import { describe, expect, it } from "vitest";
import { RpcError, Code } from "rpcgen/runtime";

describe("RpcError.from", () => {
  it("maps ECONNREFUSED to UNAVAILABLE and keeps the cause", () => {
    const cause = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    const err = RpcError.from(cause);
    expect(err.code).toBe(Code.UNAVAILABLE);
    expect(err.cause).toBe(cause);
  });
});
