import type { StructDescriptor, TypeDescriptor } from "../descriptor.js";
import { i64As } from "./i64.js";
import { checkBool, checkEnum, checkInt, checkString, checkUuid } from "./scalar-checks.js";
import { completeSlots, shapeOf, structFromSlots, type StructShape } from "./struct-shape.js";
import { ValueError, describeValue, rethrowWithin } from "./value-error.js";

/** Converts a parsed JSON value into the JavaScript value of a type; throws ValueError. */
export type JsonRead = (json: unknown) => unknown;

/**
 * Thrown by an i64 reader that met a number JSON.parse may have rounded; the
 * codec then parses the body again with the exact parser.
 */
export class NeedsExactParse extends Error {}

/**
 * True while reading the output of the exact parser, where an unsafe integer
 * number can only come from a literal with a fraction or exponent (plain digits
 * arrive as bigint), which is not an exact i64. Reading is synchronous, so a
 * module-level switch is safe.
 */
let exactPass = false;

/** Runs `read` over a value produced by parseJsonExact. */
export function readExactly<T>(read: () => T): T {
  exactPass = true;
  try {
    return read();
  } finally {
    exactPass = false;
  }
}

const typeReaders = new WeakMap<TypeDescriptor, JsonRead>();
const structReaders = new WeakMap<StructDescriptor, JsonRead>();

export function jsonReaderFor(type: TypeDescriptor): JsonRead {
  let reader = typeReaders.get(type);
  if (reader === undefined) {
    reader = compileType(type);
    typeReaders.set(type, reader);
  }
  return reader;
}

export function jsonStructReader(struct: StructDescriptor): JsonRead {
  let reader = structReaders.get(struct);
  if (reader === undefined) {
    const shape = shapeOf(struct);
    reader = (json) => structFromSlots(shape, readSlots(shape, json));
    structReaders.set(struct, reader);
  }
  return reader;
}

/** Reads the object of an args struct into argument slots in IDL order. */
export function readJsonArgs(struct: StructDescriptor, json: unknown): unknown[] {
  const shape = shapeOf(struct);
  return completeSlots(shape, readSlots(shape, json));
}

const slotReaders = new WeakMap<StructShape, readonly JsonRead[]>();

function readSlots(shape: StructShape, json: unknown): unknown[] {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new ValueError(
      `expected ${shape.descriptor.kind} ${shape.descriptor.name} (a JSON object), got ${describeValue(json)}`,
    );
  }
  let readers = slotReaders.get(shape);
  if (readers === undefined) {
    readers = shape.fields.map((f) => jsonReaderFor(f.descriptor.type));
    slotReaders.set(shape, readers);
  }
  const slots = new Array<unknown>(shape.fields.length);
  const object = json as Record<string, unknown>;
  // Only own keys that name a field are read; anything else is skipped.
  for (const key of Object.keys(object)) {
    const field = shape.byName.get(key);
    if (field === undefined) continue;
    const value = object[key];
    if (value === null) continue;
    try {
      slots[field.index] = readers[field.index]!(value);
    } catch (error) {
      rethrowWithin(error, key);
    }
  }
  return slots;
}

function compileType(type: TypeDescriptor): JsonRead {
  switch (type.kind) {
    case "bool":
      return checkBool;
    case "i8":
    case "i16":
    case "i32": {
      const kind = type.kind;
      return (v) => checkInt(kind, v);
    }
    case "i64": {
      const repr = type.repr;
      return (v) => i64As(repr, exactI64(v));
    }
    case "double":
      return readDouble;
    case "string":
      return checkString;
    case "uuid":
      return checkUuid;
    case "binary":
      return readBase64;
    case "enum": {
      const values = new Set(Object.values(type.enum.values));
      const name = type.enum.name;
      return (v) => checkEnum(values, name, v);
    }
    case "list":
    case "set": {
      const readElement = jsonReaderFor(type.element);
      const isSet = type.kind === "set";
      return (v) => {
        if (!Array.isArray(v)) throw new ValueError(`expected ${type.kind} (a JSON array), got ${describeValue(v)}`);
        const out = new Array<unknown>(v.length);
        for (let i = 0; i < v.length; i++) {
          try {
            out[i] = readElement(v[i]);
          } catch (error) {
            rethrowWithin(error, `[${i}]`);
          }
        }
        return isSet ? new Set(out) : out;
      };
    }
    case "map": {
      const readKey = jsonReaderFor(type.key);
      const readValue = jsonReaderFor(type.value);
      return (v) => {
        if (!Array.isArray(v))
          throw new ValueError(`expected map (a JSON array of [key, value] pairs), got ${describeValue(v)}`);
        const out = new Map<unknown, unknown>();
        for (let i = 0; i < v.length; i++) {
          const pair: unknown = v[i];
          if (!Array.isArray(pair) || pair.length !== 2) {
            throw new ValueError(`expected a [key, value] pair, got ${describeValue(pair)}`).within(`[#${i}]`);
          }
          let key: unknown;
          try {
            key = readKey(pair[0]);
          } catch (error) {
            rethrowWithin(error, `[key #${i}]`);
          }
          try {
            out.set(key, readValue(pair[1]));
          } catch (error) {
            rethrowWithin(error, `[#${i}]`);
          }
        }
        return out;
      };
    }
    case "struct": {
      const thunk = type.struct;
      let reader: JsonRead | undefined;
      return (v) => (reader ??= jsonStructReader(thunk()))(v);
    }
  }
}

/** An i64 as a number when safe, else a bigint; digits JSON.parse rounded trigger an exact re-parse. */
function exactI64(v: unknown): number | bigint {
  if (typeof v === "number") {
    if (Number.isSafeInteger(v)) return v;
    if (Number.isInteger(v) && !exactPass) throw new NeedsExactParse();
  } else if (typeof v === "bigint") {
    if (v >= -(1n << 63n) && v < 1n << 63n) return v;
  } else if (typeof v === "string" && /^-?\d{1,20}$/.test(v)) {
    const big = BigInt(v);
    if (big >= -(1n << 63n) && big < 1n << 63n) return Number.isSafeInteger(Number(big)) ? Number(big) : big;
  }
  throw new ValueError(`expected i64 (an integer in the signed 64-bit range), got ${describeValue(v)}`);
}

function readDouble(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (v === "NaN") return NaN;
  if (v === "Infinity") return Infinity;
  if (v === "-Infinity") return -Infinity;
  throw new ValueError(`expected double (a number, "NaN", "Infinity" or "-Infinity"), got ${describeValue(v)}`);
}

// Padding only at the end; with the length a multiple of 4 this is exactly canonical
// base64. (A repeated group such as `(?:x{4})*` overflows V8's regexp stack on inputs
// of a few MB, which a gzip'ed frame can carry.)
const base64Pattern = /^[A-Za-z0-9+/]*={0,2}$/;

function readBase64(v: unknown): Uint8Array {
  if (typeof v === "string" && v.length % 4 === 0 && base64Pattern.test(v)) return Buffer.from(v, "base64");
  throw new ValueError(`expected binary (a base64 string), got ${describeValue(v)}`);
}
