import type { MethodDescriptor, TypeDescriptor } from "../descriptor.js";
import { toJsonValue } from "./json-value.js";
import { resp, type RespValue, type RespVersion } from "./resp-value.js";
import { checkIntegerRange, formatScalarText, i64ToBigInt, mismatch, toBytes } from "./scalar-text.js";

/** The type of a method's return value, or undefined for void. */
export function returnType(method: MethodDescriptor): TypeDescriptor | undefined {
  return method.result.fields.find((field) => field.id === 0)?.type;
}

/**
 * A handler's return value as a RESP reply: integers (i8…i64, enums) and bools as
 * integers, doubles and strings as bulk strings, binary as raw bulk bytes, lists
 * and sets as arrays mapped element by element, maps and structs as a bulk string
 * of JSON, void as `+OK`, an absent value as nil. A connection that said `HELLO 3`
 * gets RESP3 types instead: booleans, doubles, sets, and maps (structs as maps of
 * field name to value).
 */
export function resultToRespReply(method: MethodDescriptor, value: unknown, version: RespVersion): RespValue {
  const type = returnType(method);
  if (type === undefined) return resp.ok;
  return valueToReply(value, type, version, "result");
}

function valueToReply(value: unknown, type: TypeDescriptor, version: RespVersion, path: string): RespValue {
  if (value === undefined || value === null) return resp.null;
  switch (type.kind) {
    case "i8":
    case "i16":
    case "i32":
      return resp.integer(checkIntegerRange(value, type.kind, path));
    case "enum":
      return resp.integer(checkIntegerRange(value, "i32", path));
    case "i64":
      return resp.integer(i64ToBigInt(value, path));
    case "bool":
      if (typeof value !== "boolean") throw mismatch(path, value, "a boolean");
      return version === 3 ? { type: "boolean", value } : resp.integer(value ? 1 : 0);
    case "double":
      if (typeof value !== "number") throw mismatch(path, value, "a number");
      return version === 3 ? { type: "double", value } : resp.bulk(formatScalarText(value, type, path));
    case "string":
    case "uuid":
      return resp.bulk(formatScalarText(value, type, path));
    case "binary":
      return resp.bulk(Buffer.from(toBytes(value, path)));
    case "list":
    case "set": {
      const items = type.kind === "set" && value instanceof Set ? [...value] : value;
      if (!Array.isArray(items)) throw mismatch(path, value, type.kind === "set" ? "a Set" : "an array");
      const elements = items.map((item, i) => valueToReply(item, type.element, version, `${path}[${i}]`));
      return version === 3 && type.kind === "set" ? { type: "set", value: elements } : resp.array(elements);
    }
    case "map":
      if (version === 3) {
        if (!(value instanceof Map)) throw mismatch(path, value, "a Map");
        return resp.map([...value].map(([key, item], i) => [
          valueToReply(key, type.key, version, `${path} key ${i}`),
          valueToReply(item, type.value, version, `${path} value ${i}`),
        ] as const));
      }
      return resp.bulk(JSON.stringify(toJsonValue(value, type, path)));
    case "struct": {
      if (version === 2) return resp.bulk(JSON.stringify(toJsonValue(value, type, path)));
      if (typeof value !== "object") throw mismatch(path, value, "an object");
      const source = value as Record<string, unknown>;
      const pairs: (readonly [RespValue, RespValue])[] = [];
      for (const field of type.struct().fields) {
        const item = source[field.jsName];
        if (item === undefined || item === null) continue;
        pairs.push([resp.bulk(field.name), valueToReply(item, field.type, version, `${path}.${field.name}`)]);
      }
      return resp.map(pairs);
    }
  }
}
