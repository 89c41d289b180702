import type { EnumDescriptor, I64Representation, TypeDescriptor } from "../descriptor.js";
import { RespConversionError } from "./resp-conversion-error.js";
import { formatRespDouble } from "./resp-serializer.js";

/** Scalar kinds that have a text form: everything except containers and structs. */
export type TextScalarType = Extract<TypeDescriptor, { kind: "bool" | "i8" | "i16" | "i32" | "i64" | "double" | "string" | "binary" | "uuid" | "enum" }>;

const integerRanges = {
  i8: [-128, 127],
  i16: [-32768, 32767],
  i32: [-2147483648, 2147483647],
} as const;
const minInt64 = -(2n ** 63n);
const maxInt64 = 2n ** 63n - 1n;
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Base64 characters, then any `=`; the lengths are checked by isBase64. */
const base64Shape = /^[A-Za-z0-9+/]*(=*)$/;
const decimalPattern = /^[+-]?\d+$/;
const doublePattern = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export function isTextScalar(type: TypeDescriptor): type is TextScalarType {
  return type.kind !== "list" && type.kind !== "set" && type.kind !== "map" && type.kind !== "struct";
}

/**
 * Reads a scalar from its text form: integers in decimal with range checks, i64
 * exactly (via BigInt) into the declared representation, booleans as
 * `true`/`false`/`1`/`0`, doubles including `inf`/`-inf`/`nan`, uuids in the
 * 8-4-4-4-12 form (returned lower-case), binary as base64, enums by name or value.
 */
export function parseScalarText(text: string, type: TextScalarType, path: string): unknown {
  switch (type.kind) {
    case "bool": {
      const lower = text.toLowerCase();
      if (lower === "true" || text === "1") return true;
      if (lower === "false" || text === "0") return false;
      throw new RespConversionError(path, `${quote(text)} is not a bool (use true, false, 1 or 0)`);
    }
    case "i8":
    case "i16":
    case "i32": {
      if (!decimalPattern.test(text)) throw new RespConversionError(path, `${quote(text)} is not an integer`);
      return checkIntegerRange(Number(text), type.kind, path);
    }
    case "i64": {
      if (!decimalPattern.test(text)) throw new RespConversionError(path, `${quote(text)} is not an integer`);
      return toI64Representation(BigInt(text), type.repr, path);
    }
    case "double":
      return parseDoubleText(text, path);
    case "string":
      return text;
    case "uuid":
      if (!uuidPattern.test(text)) throw new RespConversionError(path, `${quote(text)} is not a uuid (8-4-4-4-12 hex digits)`);
      return text.toLowerCase();
    case "binary":
      if (!isBase64(text)) throw new RespConversionError(path, `${quote(text)} is not base64`);
      return new Uint8Array(Buffer.from(text, "base64"));
    case "enum":
      return parseEnumText(text, type.enum, path);
  }
}

/**
 * Base64 with or without its padding. Checked by lengths rather than by a regexp
 * group repeated per 4 characters, which overflows V8's regexp stack on inputs of
 * a few MB (a binary field of a few MiB in a JSON argument or reply).
 */
function isBase64(text: string): boolean {
  const match = base64Shape.exec(text);
  if (match === null) return false;
  const padding = match[1]!.length;
  const lastGroup = (text.length - padding) % 4;
  if (padding === 0) return lastGroup !== 1;
  return (lastGroup === 2 && padding === 2) || (lastGroup === 3 && padding === 1);
}

/** In unicode mode a well-formed pair is one code point, so only lone surrogates match. */
const loneSurrogatePattern = /\p{Cs}/u;

/** The text form `parseScalarText` reads back; binary becomes base64. */
export function formatScalarText(value: unknown, type: TextScalarType, path: string): string {
  switch (type.kind) {
    case "bool":
      if (typeof value !== "boolean") throw mismatch(path, value, "a boolean");
      return value ? "true" : "false";
    case "i8":
    case "i16":
    case "i32":
      return String(checkIntegerRange(value, type.kind, path));
    case "i64":
      return String(i64ToBigInt(value, path));
    case "enum":
      return String(checkIntegerRange(value, "i32", path));
    case "double":
      if (typeof value !== "number") throw mismatch(path, value, "a number");
      return formatRespDouble(value);
    case "string":
      if (typeof value !== "string") throw mismatch(path, value, "a string");
      // UTF-8 has no encoding for a lone surrogate: Buffer.from would turn it into U+FFFD without a word.
      if (loneSurrogatePattern.test(value)) {
        throw new RespConversionError(path, "string holds a lone UTF-16 surrogate, which UTF-8 cannot carry");
      }
      return value;
    case "uuid":
      if (typeof value !== "string" || !uuidPattern.test(value)) throw mismatch(path, value, "a uuid string");
      return value.toLowerCase();
    case "binary":
      return Buffer.from(toBytes(value, path)).toString("base64");
  }
}

export function checkIntegerRange(value: unknown, kind: "i8" | "i16" | "i32", path: string): number {
  if (typeof value !== "number" || !Number.isInteger(value)) throw mismatch(path, value, `an integer (${kind})`);
  const [min, max] = integerRanges[kind];
  if (value < min || value > max) throw new RespConversionError(path, `${value} is out of range for ${kind} (${min}..${max})`);
  return value;
}

/** Any of the three i64 representations (bigint, safe-integer number, decimal string) as a bigint. */
export function i64ToBigInt(value: unknown, path: string): bigint {
  let big: bigint;
  if (typeof value === "bigint") big = value;
  else if (typeof value === "number" && Number.isSafeInteger(value)) big = BigInt(value);
  else if (typeof value === "string" && decimalPattern.test(value)) big = BigInt(value);
  else throw mismatch(path, value, "an i64 (bigint, safe integer or decimal string)");
  if (big < minInt64 || big > maxInt64) throw new RespConversionError(path, `${big} is out of range for i64`);
  return big;
}

export function toI64Representation(value: bigint, repr: I64Representation, path: string): bigint | number | string {
  if (value < minInt64 || value > maxInt64) throw new RespConversionError(path, `${value} is out of range for i64`);
  if (repr === "bigint") return value;
  if (repr === "string") return value.toString();
  const number = Number(value);
  if (!Number.isSafeInteger(number)) {
    throw new RespConversionError(path, `${value} cannot be held exactly by a JavaScript number (the i64 is declared ts.type = number)`);
  }
  return number;
}

export function parseDoubleText(text: string, path: string): number {
  const lower = text.toLowerCase();
  if (lower === "inf" || lower === "+inf" || lower === "infinity" || lower === "+infinity") return Infinity;
  if (lower === "-inf" || lower === "-infinity") return -Infinity;
  if (lower === "nan") return NaN;
  if (!doublePattern.test(text)) throw new RespConversionError(path, `${quote(text)} is not a number`);
  return Number(text);
}

export function toBytes(value: unknown, path: string): Uint8Array {
  if (value instanceof Uint8Array) return value;
  throw mismatch(path, value, "a Uint8Array");
}

function parseEnumText(text: string, descriptor: EnumDescriptor, path: string): number {
  if (Object.hasOwn(descriptor.values, text)) return descriptor.values[text]!;
  if (decimalPattern.test(text)) {
    const value = Number(text);
    if (Object.values(descriptor.values).includes(value)) return value;
  }
  const names = Object.keys(descriptor.values).join(", ");
  throw new RespConversionError(path, `${quote(text)} is not a value of ${descriptor.name} (${names})`);
}

export function mismatch(path: string, value: unknown, expected: string): RespConversionError {
  return new RespConversionError(path, `expected ${expected}, got ${describe(value)}`);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return quote(value);
  if (typeof value === "number" || typeof value === "bigint" || typeof value === "boolean") return `${typeof value} ${String(value)}`;
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? `${value.constructor?.name ?? "an object"}` : typeof value;
}

function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}...` : text);
}
