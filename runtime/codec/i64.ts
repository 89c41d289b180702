import type { I64Representation } from "../descriptor.js";
import { ValueError, describeValue } from "./value-error.js";

const MIN_I64 = -(1n << 63n);
const MAX_I64 = (1n << 63n) - 1n;
const decimalPattern = /^-?\d{1,20}$/;

/**
 * Normalises an i64 given in any representation (bigint, safe-integer number or
 * decimal string) to a number when it is safe, else a bigint, so that the
 * common small values never touch bigint arithmetic.
 */
export function checkI64(value: unknown): number | bigint {
  if (typeof value === "number") {
    if (Number.isSafeInteger(value)) return value;
  } else if (typeof value === "bigint") {
    if (value >= MIN_I64 && value <= MAX_I64) {
      return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value;
    }
  } else if (typeof value === "string" && decimalPattern.test(value)) {
    const big = BigInt(value);
    if (big >= MIN_I64 && big <= MAX_I64) return checkI64(big);
  }
  throw new ValueError(
    `expected i64 (a bigint, a safe integer number or a decimal string in the signed 64-bit range), got ${describeValue(value)}`,
  );
}

/** Converts an exact i64 (number when safe, else bigint) into the representation a field asks for. */
export function i64As(repr: I64Representation, value: number | bigint): bigint | number | string {
  switch (repr) {
    case "bigint":
      return typeof value === "bigint" ? value : BigInt(value);
    case "string":
      return String(value);
    case "number":
      if (typeof value === "number") return value;
      throw new ValueError(`i64 ${value} does not fit a JavaScript number exactly (the field is ts.type = "number")`);
  }
}

/** The decimal digits of an i64 (for the JSON codec). */
export function i64Digits(value: number | bigint): string {
  return typeof value === "number" ? (Object.is(value, -0) ? "0" : String(value)) : value.toString();
}
