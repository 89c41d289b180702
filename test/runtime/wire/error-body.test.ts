import { describe, expect, it } from "vitest";
import { Code, RpcError } from "@rpcgen/runtime";
import { decodeErrorBody, encodeErrorBody } from "@rpcgen/runtime/internal/wire/error-body.js";

describe("error frame body", () => {
  it("is the documented JSON object and reads back to the same code and message", () => {
    const body = encodeErrorBody(new RpcError(Code.DEADLINE_EXCEEDED, "too slow: ünïcode"));
    expect(JSON.parse(body.toString("utf8"))).toEqual({ code: "DEADLINE_EXCEEDED", message: "too slow: ünïcode" });
    const error = decodeErrorBody(body);
    expect(error).toBeInstanceOf(RpcError);
    expect([error.code, error.message]).toEqual([Code.DEADLINE_EXCEEDED, "too slow: ünïcode"]);
  });

  it("maps an unknown code to UNKNOWN and keeps it in the message", () => {
    const error = decodeErrorBody(Buffer.from('{"code":"TEAPOT","message":"short and stout"}'));
    expect(error.code).toBe(Code.UNKNOWN);
    expect(error.message).toBe('peer sent unknown error code "TEAPOT": short and stout');
  });

  it("maps a body that is not the JSON object to INTERNAL", () => {
    expect(decodeErrorBody(Buffer.from("{nope")).code).toBe(Code.INTERNAL);
    expect(decodeErrorBody(Buffer.from("[1]")).code).toBe(Code.INTERNAL);
    expect(decodeErrorBody(Buffer.from("42")).code).toBe(Code.INTERNAL);
    expect(decodeErrorBody(new Uint8Array(0)).code).toBe(Code.INTERNAL);
  });
});
