import type { ScalarKind } from "../descriptor.js";
import { ValueError, describeValue } from "./value-error.js";

const intRanges = {
  i8: [-128, 127],
  i16: [-32768, 32767],
  i32: [-2147483648, 2147483647],
} as const;

export type IntKind = keyof typeof intRanges;

/** Throws unless `value` is an integer number in the range of `kind`. */
export function checkInt(kind: IntKind, value: unknown): number {
  const [min, max] = intRanges[kind];
  if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max) return value;
  throw new ValueError(`expected ${kind} (an integer in ${min}..${max}), got ${describeValue(value)}`);
}

export function checkBool(value: unknown): boolean {
  if (typeof value === "boolean") return value;
  throw new ValueError(`expected bool, got ${describeValue(value)}`);
}

export function checkDouble(value: unknown): number {
  if (typeof value === "number") return value;
  throw new ValueError(`expected double, got ${describeValue(value)}`);
}

export function checkString(value: unknown): string {
  if (typeof value === "string") return value;
  throw new ValueError(`expected string, got ${describeValue(value)}`);
}

// ES2024, present in Node 20 but not in the ES2022 lib this project compiles against.
const isWellFormed = (String.prototype as unknown as { isWellFormed(this: string): boolean }).isWellFormed;

/**
 * A string protobuf can carry: UTF-8 has no encoding for a lone UTF-16
 * surrogate, which would otherwise be replaced by U+FFFD without a word.
 */
export function checkUtf8String(value: unknown): string {
  const text = checkString(value);
  if (isWellFormed.call(text)) return text;
  throw new ValueError("string holds a lone UTF-16 surrogate, which UTF-8 (and so protobuf) cannot carry");
}

export function checkBinary(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  throw new ValueError(`expected binary (a Uint8Array), got ${describeValue(value)}`);
}

const uuidPattern = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Accepts any case; returns the canonical lower-case form that goes on the wire. */
export function checkUuid(value: unknown): string {
  if (typeof value === "string" && uuidPattern.test(value)) return value.toLowerCase();
  throw new ValueError(`expected uuid (8-4-4-4-12 hex), got ${describeValue(value)}`);
}

export function checkEnum(values: ReadonlySet<number>, name: string, value: unknown): number {
  if (typeof value === "number" && values.has(value)) return value;
  throw new ValueError(`expected a value of enum ${name}, got ${describeValue(value)}`);
}

/** The integer kinds carried as protobuf int32. */
export function isIntKind(kind: ScalarKind | string): kind is IntKind {
  return kind === "i8" || kind === "i16" || kind === "i32";
}
