import { describe, expect, it } from "vitest";
import { Code, RpcError, isCode } from "@rpcgen/runtime";

function sysError(code: string, message = `${code} happened`): Error {
  return Object.assign(new Error(message), { code });
}

describe("RpcError.from", () => {
  it("returns an RpcError as it is", () => {
    const original = new RpcError(Code.NOT_FOUND, "no such key");
    expect(RpcError.from(original)).toBe(original);
  });

  it.each(["ECONNREFUSED", "ECONNRESET", "EPIPE", "EHOSTUNREACH", "ERR_SOCKET_CLOSED"])(
    "maps the socket error %s to UNAVAILABLE and keeps it as the cause",
    (code) => {
      const cause = sysError(code);
      const error = RpcError.from(cause);
      expect(error.code).toBe(Code.UNAVAILABLE);
      expect(error.message).toBe(cause.message);
      expect(error.cause).toBe(cause);
    },
  );

  it("maps ETIMEDOUT and a TimeoutError to DEADLINE_EXCEEDED", () => {
    expect(RpcError.from(sysError("ETIMEDOUT")).code).toBe(Code.DEADLINE_EXCEEDED);
    const timeout = Object.assign(new Error("timed out"), { name: "TimeoutError" });
    expect(RpcError.from(timeout).code).toBe(Code.DEADLINE_EXCEEDED);
  });

  it("maps an abort to CANCELLED", () => {
    const controller = new AbortController();
    controller.abort();
    expect(RpcError.from(controller.signal.reason).code).toBe(Code.CANCELLED);
    expect(RpcError.from(sysError("ABORT_ERR")).code).toBe(Code.CANCELLED);
  });

  it("uses the fallback code for anything else, also for values that are not errors", () => {
    expect(RpcError.from(new TypeError("bad")).code).toBe(Code.UNKNOWN);
    expect(RpcError.from(new TypeError("bad"), Code.INTERNAL).code).toBe(Code.INTERNAL);
    const fromString = RpcError.from("plain text", Code.INVALID_ARGUMENT);
    expect(fromString.code).toBe(Code.INVALID_ARGUMENT);
    expect(fromString.message).toBe("plain text");
    expect(fromString.cause).toBe("plain text");
  });

  it("names itself RpcError and is an Error", () => {
    const error = new RpcError(Code.INTERNAL, "x");
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("RpcError");
  });
});

describe("isCode", () => {
  it("accepts exactly the codes of the fixed set", () => {
    expect(isCode("UNAVAILABLE")).toBe(true);
    expect(isCode("unavailable")).toBe(false);
    expect(isCode(14)).toBe(false);
    expect(Object.values(Code).every(isCode)).toBe(true);
  });
});
