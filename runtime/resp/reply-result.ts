import type { MethodDescriptor, TypeDescriptor } from "../descriptor.js";
import { checkIntegerRange, parseDoubleText, toI64Representation } from "./scalar-text.js";
import { RespConversionError } from "./resp-conversion-error.js";
import { readArgument } from "./call-arguments.js";
import { fromJsonValue } from "./json-value.js";
import { returnType } from "./result-reply.js";
import type { RespValue } from "./resp-value.js";

/**
 * Decodes a successful reply into the method's return value: the inverse of
 * resultToRespReply, for RESP2 replies (RESP3 booleans, doubles and sets are read too).
 * Throws RespConversionError when the reply does not fit the declared type.
 */
export function respReplyToResult(method: MethodDescriptor, reply: RespValue): unknown {
  const type = returnType(method);
  if (type === undefined) {
    if (reply.type === "simple" || reply.type === "null") return undefined;
    throw new RespConversionError("result", `expected +OK for a void method, got a ${reply.type} reply`);
  }
  return replyToValue(reply, type, "result");
}

function replyToValue(reply: RespValue, type: TypeDescriptor, path: string): unknown {
  if (reply.type === "null") return undefined;
  switch (type.kind) {
    case "i8":
    case "i16":
    case "i32":
    case "enum":
      return checkIntegerRange(Number(integerOf(reply, path)), type.kind === "enum" ? "i32" : type.kind, path);
    case "i64":
      return toI64Representation(integerOf(reply, path), type.repr, path);
    case "bool":
      if (reply.type === "boolean") return reply.value;
      return integerOf(reply, path) !== 0n;
    case "double":
      if (reply.type === "double") return reply.value;
      return parseDoubleText(bulkOf(reply, path).toString("utf8"), path);
    case "list":
    case "set": {
      if (reply.type !== "array" && reply.type !== "set") throw unexpected(reply, path, "an array");
      const items = reply.value.map((item, i) => replyToValue(item, type.element, `${path}[${i}]`));
      return type.kind === "set" ? new Set(items) : items;
    }
    case "map":
    case "struct": {
      const text = bulkOf(reply, path).toString("utf8");
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (error) {
        throw new RespConversionError(path, `is not valid JSON (${(error as Error).message})`);
      }
      return fromJsonValue(json, type, path, { rejectUnknownFields: false });
    }
    default:
      return readArgument(bulkOf(reply, path), type, path);
  }
}

function integerOf(reply: RespValue, path: string): bigint {
  if (reply.type === "integer" || reply.type === "bignum") return reply.value;
  throw unexpected(reply, path, "an integer");
}

function bulkOf(reply: RespValue, path: string): Buffer {
  if (reply.type === "bulk" || reply.type === "verbatim") return reply.value;
  if (reply.type === "simple") return Buffer.from(reply.value, "utf8");
  throw unexpected(reply, path, "a bulk string");
}

function unexpected(reply: RespValue, path: string, expected: string): RespConversionError {
  return new RespConversionError(path, `expected ${expected} reply, got a ${reply.type} reply`);
}
