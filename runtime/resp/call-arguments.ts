import type { MethodDescriptor, TypeDescriptor } from "../descriptor.js";
import { RespConversionError } from "./resp-conversion-error.js";
import { fromJsonValue, toJsonValue } from "./json-value.js";
import type { RespCommand } from "./resp-command.js";
import { readSmallDecimal } from "./small-decimal.js";
import { checkIntegerRange, formatScalarText, isTextScalar, parseScalarText, toBytes } from "./scalar-text.js";
import { typeName } from "./type-names.js";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });
/** `argument 'a' (i32)` per argument of a method, built once rather than on every call. */
const argumentPathsByMethod = new WeakMap<MethodDescriptor, readonly string[]>();

function argumentPaths(method: MethodDescriptor): readonly string[] {
  let paths = argumentPathsByMethod.get(method);
  if (paths === undefined) {
    paths = method.args.fields.map((field) => `argument '${field.name}' (${typeName(field.type)})`);
    argumentPathsByMethod.set(method, paths);
  }
  return paths;
}

/**
 * Converts the bulk strings after `CALL <method>` into handler arguments, by the
 * IDL types: binary arguments are taken as raw bytes, strings must be UTF-8,
 * other scalars are read from their text form, structs and containers from JSON.
 * Arguments left out at the end get their IDL default or stay undefined (the
 * server's dispatch then refuses a missing one the handler needs, with the same
 * message as over every protocol); words past the last argument are ignored, as
 * the other codecs skip fields a method does not declare. Throws
 * RespConversionError naming the argument.
 */
export function readRespArguments(method: MethodDescriptor, raw: readonly Buffer[]): unknown[] {
  const fields = method.args.fields;
  const paths = argumentPaths(method);
  const values: unknown[] = [];
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    const bytes = raw[i];
    if (bytes === undefined) values.push(field.defaultValue ? field.defaultValue() : undefined);
    else values.push(readArgument(bytes, field.type, paths[i]!));
  }
  return values;
}

/**
 * readRespArguments for the words of a server's command from word `first` on:
 * the same values and errors, with small integers read where they lie and no
 * Buffer made for them.
 */
export function readCommandArguments(method: MethodDescriptor, command: RespCommand, first: number): unknown[] {
  const fields = method.args.fields;
  const paths = argumentPaths(method);
  // Sized up front: pushing onto [] would allocate room for 16.
  const values: unknown[] = new Array(fields.length);
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i]!;
    const at = first + i;
    if (at >= command.count) {
      values[i] = field.defaultValue ? field.defaultValue() : undefined;
      continue;
    }
    const kind = field.type.kind;
    if (kind === "i32" || kind === "i16" || kind === "i8") {
      const value = command.smallDecimal(at);
      if (value !== undefined) {
        values[i] = checkIntegerRange(value, kind, paths[i]!);
        continue;
      }
    }
    values[i] = readArgument(command.word(at), field.type, paths[i]!);
  }
  return values;
}

/** The inverse of readRespArguments: the bulk strings a client sends for `args`. */
export function writeRespArguments(method: MethodDescriptor, args: readonly unknown[]): Buffer[] {
  return encodeRespArguments(method, args).map((word) => (typeof word === "string" ? Buffer.from(word, "utf8") : word));
}

/**
 * writeRespArguments with text words left as strings (to be written as UTF-8), so
 * a client encodes them straight into its write batch without a Buffer each.
 */
export function encodeRespArguments(method: MethodDescriptor, args: readonly unknown[]): (Buffer | string)[] {
  const fields = method.args.fields;
  if (args.length > fields.length) {
    throw new RespConversionError("", `${method.fullName} takes ${fields.length} argument(s), got ${args.length}`);
  }
  let count = fields.length;
  while (count > 0 && (args[count - 1] === undefined || args[count - 1] === null)) count--;
  const paths = argumentPaths(method);
  const out: (Buffer | string)[] = [];
  for (let i = 0; i < count; i++) {
    const field = fields[i]!;
    const path = paths[i]!;
    const value = args[i];
    if (value === undefined || value === null) {
      throw new RespConversionError(path, "is absent, but RESP can only leave out trailing arguments");
    }
    out.push(encodeArgument(value, field.type, path));
  }
  return out;
}

/** One bulk string as an IDL value; also used by clients reading bulk replies. */
export function readArgument(bytes: Buffer, type: TypeDescriptor, path: string): unknown {
  if (type.kind === "binary") return new Uint8Array(bytes);
  if (type.kind === "i32" || type.kind === "i16" || type.kind === "i8") {
    // Most integer arguments are short decimals: read from the bytes, without a string.
    const value = readSmallDecimal(bytes, 0, bytes.length);
    if (value !== undefined) return checkIntegerRange(value, type.kind, path);
  }
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
  const word = encodeArgument(value, type, path);
  return typeof word === "string" ? Buffer.from(word, "utf8") : word;
}

/** writeArgument with text left as a string, to be written as UTF-8. */
function encodeArgument(value: unknown, type: TypeDescriptor, path: string): Buffer | string {
  // A copy: the caller may reuse its array before the batched command is written.
  if (type.kind === "binary") return Buffer.from(toBytes(value, path));
  if (isTextScalar(type)) return formatScalarText(value, type, path);
  return JSON.stringify(toJsonValue(value, type, path));
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
