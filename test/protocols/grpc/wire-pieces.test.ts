/** The small pieces of the HTTP side: detection, grpc-timeout, grpc-message, status details, proto names. */
import { describe, expect, it } from "vitest";
import { detectHttp1RequestLine, detectHttp2Preface } from "../../../runtime/protocols/http/http-detect.js";
import { protoIdentifier, protoMessageName, rpcPath } from "../../../runtime/protocols/http/rpc-paths.js";
import { jsonName } from "../../../runtime/protocols/connect/proto-json-names.js";
import { decodeGrpcMessage, encodeGrpcMessage } from "../../../runtime/protocols/grpc/grpc-status.js";
import { formatGrpcTimeout, parseGrpcTimeout } from "../../../runtime/protocols/grpc/grpc-timeout.js";
import { decodeStatus, encodeStatus } from "../../../runtime/protocols/grpc/status-details.js";
import { UnaryRequestReader } from "../../../runtime/protocols/grpc/grpc-message.js";

const bytes = (text: string) => Buffer.from(text, "latin1");

describe("detection by first bytes", () => {
  it("HTTP/2: yes on the whole preface, need-more on a prefix of it, no otherwise", () => {
    expect(detectHttp2Preface(bytes("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00"))).toBe("yes");
    expect(detectHttp2Preface(bytes("PRI * HTT"))).toBe("need-more");
    expect(detectHttp2Preface(bytes("POST / HTTP/1.1\r\n"))).toBe("no");
  });

  it("HTTP/1.x: a method, a space and a target; a complete first line must end in HTTP/1.x", () => {
    expect(detectHttp1RequestLine(bytes("POST /calculator.Calculator/add HTTP/1.1\r\nHost: x\r\n"))).toBe("yes");
    expect(detectHttp1RequestLine(bytes("GET /metrics HTTP/1.0\r\n"))).toBe("yes");
    expect(detectHttp1RequestLine(bytes("OPTIONS * HTTP/1.1\r\n"))).toBe("yes");
    expect(detectHttp1RequestLine(bytes("POST /a-long-path-still-arriving"))).toBe("yes");
    expect(detectHttp1RequestLine(bytes("PO"))).toBe("need-more");
    expect(detectHttp1RequestLine(bytes("POST "))).toBe("need-more");
    // RESP inline commands that start like a request line.
    expect(detectHttp1RequestLine(bytes("GET key\r\n"))).toBe("no");
    expect(detectHttp1RequestLine(bytes("GET /key\r\n"))).toBe("no");
    expect(detectHttp1RequestLine(bytes("CALL Calculator.add 1 2\r\n"))).toBe("no");
    expect(detectHttp1RequestLine(bytes("*1\r\n$4\r\nPING\r\n"))).toBe("no");
    expect(detectHttp1RequestLine(bytes("PRI * HTTP/2.0\r\n"))).toBe("no");
  });
});

describe("grpc-timeout", () => {
  it("reads every unit and refuses malformed values", () => {
    expect(parseGrpcTimeout("100m")).toBe(100);
    expect(parseGrpcTimeout("2S")).toBe(2000);
    expect(parseGrpcTimeout("1M")).toBe(60_000);
    expect(parseGrpcTimeout("1H")).toBe(3_600_000);
    expect(parseGrpcTimeout("5000u")).toBe(5);
    expect(parseGrpcTimeout("1000000n")).toBe(1);
    expect(parseGrpcTimeout(undefined)).toBeUndefined();
    for (const bad of ["", "m", "10", "123456789m", "1x", "-1m", "1.5S"]) expect(parseGrpcTimeout(bad)).toBeNaN();
  });

  it("writes at most 8 digits, rounding up", () => {
    expect(formatGrpcTimeout(150)).toBe("150m");
    expect(formatGrpcTimeout(0.2)).toBe("1m");
    expect(formatGrpcTimeout(99_999_999)).toBe("99999999m");
    expect(formatGrpcTimeout(100_000_000)).toBe("100000S");
    expect(parseGrpcTimeout(formatGrpcTimeout(123_456_789_012))).toBeGreaterThanOrEqual(123_456_789_012);
  });
});

describe("grpc-message", () => {
  it("percent-encodes what is not printable ASCII, and `%`", () => {
    expect(encodeGrpcMessage("plain text")).toBe("plain text");
    expect(encodeGrpcMessage("50% off\n")).toBe("50%25 off%0A");
    expect(encodeGrpcMessage("naïve ✓")).toBe("na%C3%AFve %E2%9C%93");
    for (const text of ["50% off\n", "naïve ✓", "emoji 🎉 and %41"]) expect(decodeGrpcMessage(encodeGrpcMessage(text))).toBe(text);
  });

  it("keeps a broken escape as it is", () => {
    expect(decodeGrpcMessage("100%")).toBe("100%");
    expect(decodeGrpcMessage("%zz ok")).toBe("%zz ok");
  });
});

describe("google.rpc.Status", () => {
  it("round-trips code, message and details", () => {
    const encoded = encodeStatus(2, "DivideByZero: no", [{ typeUrl: "type.googleapis.com/calculator.DivideByZero", value: Uint8Array.of(8, 1) }]);
    const decoded = decodeStatus(encoded);
    expect(decoded.code).toBe(2);
    expect(decoded.message).toBe("DivideByZero: no");
    expect(decoded.details).toEqual([{ typeUrl: "type.googleapis.com/calculator.DivideByZero", value: Buffer.from([8, 1]) }]);
  });
});

describe("one unary request message", () => {
  it("is taken from one chunk as it is, or joined from several", () => {
    const whole = new UnaryRequestReader(100);
    expect(whole.push(Buffer.from([0, 0, 0, 0, 2, 8, 1]))).toBeUndefined();
    expect(whole.finish()).toEqual({ compressed: false, message: Buffer.from([8, 1]) });
    const split = new UnaryRequestReader(100);
    for (const chunk of [[0, 0], [0, 0, 2, 8], [1]]) expect(split.push(Buffer.from(chunk))).toBeUndefined();
    expect(split.finish()).toEqual({ compressed: false, message: Buffer.from([8, 1]) });
  });

  it("refuses a declared length over the limit before the message arrives, and not exactly one message", () => {
    expect(new UnaryRequestReader(10).push(Buffer.from([0, 0, 0, 0, 11]))).toEqual({ kind: "too-large", length: 11 });
    expect(new UnaryRequestReader(10).push(Buffer.from([0, 0xff, 0xff, 0xff, 0xff]))).toEqual({ kind: "too-large", length: 0xffffffff });
    expect(new UnaryRequestReader(10).push(Buffer.from([0, 0, 0, 0, 1, 8, 0, 0, 0, 0, 0]))?.kind).toBe("not-one-message");
    expect(new UnaryRequestReader(10).finish()).toMatchObject({ kind: "not-one-message" });
    const short = new UnaryRequestReader(10);
    short.push(Buffer.from([0, 0, 0, 0, 3, 8]));
    expect(short.finish()).toMatchObject({ kind: "not-one-message" });
  });
});

describe("proto names", () => {
  const service = (name: string, qualifiedName: string) => ({ name, qualifiedName, version: undefined, parent: undefined, methods: {}, annotations: {} });

  it("paths follow the generated .proto: package from the file scope, names as proto identifiers", () => {
    expect(rpcPath(service("Calculator", "calculator.Calculator"), "add")).toBe("/calculator.Calculator/add");
    expect(rpcPath(service("Svc", "my-api.v2.Svc"), "get")).toBe("/my_api_v2.Svc/get");
    expect(protoIdentifier("9lives")).toBe("_9lives");
  });

  it("message names and json names", () => {
    expect(protoMessageName({ name: "calculator.DivideByZero", kind: "exception", fields: [] })).toBe("calculator.DivideByZero");
    expect(jsonName("countsByOperation")).toBe("countsByOperation");
    expect(jsonName("dividend_value")).toBe("dividendValue");
    expect(jsonName("a__b_c")).toBe("aBC");
  });
});
