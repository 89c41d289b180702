import type { FieldDescriptor, MethodDescriptor, TypeDescriptor } from "../descriptor.js";
import { RespConversionError } from "./resp-conversion-error.js";
import { fromJsonValue, toJsonValue } from "./json-value.js";
import { formatScalarText, isTextScalar, parseScalarText, toBytes } from "./scalar-text.js";
import { typeName } from "./type-names.js";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Converts the bulk strings after `CALL <method>` into handler arguments, by the
 * IDL types: binary arguments are taken as raw bytes, strings must be UTF-8,
 * other scalars are read from their text form, structs and containers from JSON.
 * Trailing arguments declared `optional` may be left out (they get their
 * default value or stay undefined). Throws RespConversionError naming the argument.
 */
export function readRespArguments(method: MethodDescriptor, raw: readonly Buffer[]): unknown[] {
  const fields = method.args.fields;
  const minimum = minimumArgumentCount(fields);
  if (raw.length < minimum || raw.length > fields.length) {
    const expected = minimum === fields.length ? `${fields.length}` : `${minimum} to ${fields.length}`;
    throw new RespConversionError("", `wrong number of arguments for '${method.fullName}': expected ${expected} (${signature(method)}), got ${raw.length}`);
  }
  return fields.map((field, i) => {
    const bytes = raw[i];
    if (bytes === undefined) return field.defaultValue ? field.defaultValue() : undefined;
    return readArgument(bytes, field.type, `argument '${field.name}' (${typeName(field.type)})`);
  });
}

/** The inverse of readRespArguments: the bulk strings a client sends for `args`. */
export function writeRespArguments(method: MethodDescriptor, args: readonly unknown[]): Buffer[] {
  const fields = method.args.fields;
  if (args.length > fields.length) {
    throw new RespConversionError("", `${method.fullName} takes ${fields.length} argument(s), got ${args.length}`);
  }
  let count = fields.length;
  while (count > 0 && (args[count - 1] === undefined || args[count - 1] === null)) count--;
  const out: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const field = fields[i]!;
    const path = `argument '${field.name}' (${typeName(field.type)})`;
    const value = args[i];
    if (value === undefined || value === null) {
      throw new RespConversionError(path, "is absent, but RESP can only leave out trailing arguments");
    }
    out.push(writeArgument(value, field.type, path));
  }
  return out;
}

/** One bulk string as an IDL value; also used by clients reading bulk replies. */
export function readArgument(bytes: Buffer, type: TypeDescriptor, path: string): unknown {
  if (type.kind === "binary") return new Uint8Array(bytes);
  const text = decodeUtf8(bytes, path);
  if (isTextScalar(type)) return parseScalarText(text, type, path);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new RespConversionError(path, `is not valid JSON (${(error as Error).message})`);
  }
  return fromJsonValue(json, type, path, { rejectUnknownFields: true });
}

/** One IDL value as the bulk string readArgument reads back. */
export function writeArgument(value: unknown, type: TypeDescriptor, path: string): Buffer {
  if (type.kind === "binary") return Buffer.from(toBytes(value, path));
  if (isTextScalar(type)) return Buffer.from(formatScalarText(value, type, path), "utf8");
  return Buffer.from(JSON.stringify(toJsonValue(value, type, path)), "utf8");
}

export function decodeUtf8(bytes: Buffer, path: string): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new RespConversionError(path, "is not valid UTF-8");
  }
}

/** `a: i32, b: i32`, for messages and help. */
export function signature(method: MethodDescriptor): string {
  return method.args.fields.map((field) => `${field.name}: ${typeName(field.type)}`).join(", ");
}

function minimumArgumentCount(fields: readonly FieldDescriptor[]): number {
  let minimum = fields.length;
  while (minimum > 0 && fields[minimum - 1]!.requiredness === "optional") minimum--;
  return minimum;
}
