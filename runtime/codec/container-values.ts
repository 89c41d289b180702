// How container values are accepted on encode, shared by both codecs so that a
// value one codec takes the other takes too.
import { ValueError, describeValue } from "./value-error.js";

/** A list must be an array; a set may be a Set or an array. */
export function sequenceItems(kind: "list" | "set", value: unknown): Iterable<unknown> {
  if (Array.isArray(value)) return value;
  if (kind === "set" && value instanceof Set) return value;
  throw new ValueError(
    `expected ${kind === "set" ? "set (a Set or an array)" : "list (an array)"}, got ${describeValue(value)}`,
  );
}

/** A map must be a Map; a plain object is accepted as a map with string keys. */
export function mapEntries(value: unknown): Iterable<[unknown, unknown]> {
  if (value instanceof Map) return value;
  if (typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array)) {
    return Object.entries(value);
  }
  throw new ValueError(`expected map (a Map), got ${describeValue(value)}`);
}

/** A map key as it appears in an error path: the key itself when it is short and scalar. */
export function describeKey(key: unknown, index: number): string {
  if (typeof key === "string") return JSON.stringify(key.length > 20 ? key.slice(0, 20) + "…" : key);
  if (typeof key === "number" || typeof key === "boolean" || typeof key === "bigint") return String(key);
  return `key #${index}`;
}
