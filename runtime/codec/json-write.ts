import type { StructDescriptor, TypeDescriptor } from "../descriptor.js";
import { i64Digits, checkI64 } from "./i64.js";
import { checkBinary, checkBool, checkDouble, checkEnum, checkInt, checkString, checkUuid } from "./scalar-checks.js";
import { checkStructValue, missingRequired, shapeOf, unionCountError, type StructShape } from "./struct-shape.js";
import { describeKey, mapEntries, sequenceItems } from "./container-values.js";
import { rethrowWithin } from "./value-error.js";

/** Writes one value as JSON text; throws ValueError (with a path) on a value that does not fit. */
export type JsonWrite = (value: unknown) => string;

/**
 * How one JSON mapping of the IDL differs from another. rpcgen's `json` codec
 * and proto3 JSON (Connect) write scalars, strings, base64 bytes, structs and
 * unions alike and report the same error paths; they differ only here.
 */
export interface JsonDialect {
  /** An i64 as a JSON string (`"12"`, proto3) rather than a bare number. */
  readonly i64AsString: boolean;
  /** Written before and after a list's or set's items (which are joined by `,`). */
  readonly list: { readonly open: string; readonly close: string };
  /** Written before and after a map's entries (which are joined by `,`). */
  readonly map: { readonly open: string; readonly close: string };
  /** One map entry: `open` key `between` value `close`. */
  readonly entry: { readonly open: string; readonly between: string; readonly close: string };
  /** The name written for each field of a struct, by field index. */
  fieldNames(struct: StructDescriptor): readonly string[];
}

/** The writers of one dialect, each compiled once per descriptor object. */
export interface JsonWriters {
  writerFor(type: TypeDescriptor): JsonWrite;
  structWriter(struct: StructDescriptor): JsonWrite;
  /** Writes a method's arguments (in IDL order) as the object of its args struct. */
  writeArgs(struct: StructDescriptor, args: readonly unknown[]): string;
}

interface StructParts {
  readonly shape: StructShape;
  /** `"name":` of each field, quoted once. */
  readonly prefixes: readonly string[];
  readonly writers: readonly JsonWrite[];
}

/** `compute`, run once per key object. */
function oncePerObject<K extends object, V>(compute: (key: K) => V): (key: K) => V {
  const results = new WeakMap<K, V>();
  return (key) => {
    let result = results.get(key);
    if (result === undefined) {
      result = compute(key);
      results.set(key, result);
    }
    return result;
  };
}

/** The writers of `dialect`, with caches of their own. */
export function jsonWriters(dialect: JsonDialect): JsonWriters {
  const writerFor = oncePerObject(compileType);
  const structWriter = oncePerObject(compileStruct);
  const structParts = new WeakMap<StructDescriptor, StructParts>();

  // Written out rather than through oncePerObject: writeArgs looks the parts up on every call.
  function partsOf(struct: StructDescriptor): StructParts {
    let parts = structParts.get(struct);
    if (parts === undefined) {
      const shape = shapeOf(struct);
      const prefixes = dialect.fieldNames(struct).map((name) => JSON.stringify(name) + ":");
      parts = { shape, prefixes, writers: shape.fields.map((f) => writerFor(f.descriptor.type)) };
      structParts.set(struct, parts);
    }
    return parts;
  }

  function compileType(type: TypeDescriptor): JsonWrite {
    switch (type.kind) {
      case "bool":
        return (v) => (checkBool(v) ? "true" : "false");
      case "i8":
      case "i16":
      case "i32": {
        const kind = type.kind;
        return (v) => String(checkInt(kind, v));
      }
      case "i64":
        return dialect.i64AsString ? (v) => `"${i64Digits(checkI64(v))}"` : (v) => i64Digits(checkI64(v));
      case "double":
        return (v) => doubleText(checkDouble(v));
      case "string":
        return (v) => JSON.stringify(checkString(v));
      case "uuid":
        return (v) => `"${checkUuid(v)}"`;
      case "binary":
        return (v) => {
          const bytes = checkBinary(v);
          return `"${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64")}"`;
        };
      case "enum": {
        const values = new Set(Object.values(type.enum.values));
        const name = type.enum.name;
        return (v) => String(checkEnum(values, name, v));
      }
      case "list":
      case "set":
        return compileSequence(type.kind, type.element);
      case "map":
        return compileMap(type.key, type.value);
      case "struct": {
        const thunk = type.struct;
        let writer: JsonWrite | undefined;
        // Resolved on first use: the struct may be the one being compiled (recursion).
        return (v) => (writer ??= structWriter(thunk()))(v);
      }
    }
  }

  function compileSequence(kind: "list" | "set", element: TypeDescriptor): JsonWrite {
    const writeElement = writerFor(element);
    const { open, close } = dialect.list;
    return (v) => {
      const items = sequenceItems(kind, v);
      let out = open;
      let i = 0;
      for (const item of items) {
        try {
          out += i === 0 ? writeElement(item) : "," + writeElement(item);
        } catch (error) {
          rethrowWithin(error, `[${i}]`);
        }
        i++;
      }
      return out + close;
    };
  }

  function compileMap(key: TypeDescriptor, value: TypeDescriptor): JsonWrite {
    const writeKey = writerFor(key);
    const writeValue = writerFor(value);
    const { open, close } = dialect.map;
    const { open: entryOpen, between: entryBetween, close: entryClose } = dialect.entry;
    return (v) => {
      const entries = mapEntries(v);
      let out = open;
      let i = 0;
      for (const [k, item] of entries) {
        let pair: string;
        try {
          pair = entryOpen + writeKey(k) + entryBetween;
        } catch (error) {
          rethrowWithin(error, `[key #${i}]`);
        }
        try {
          pair += writeValue(item) + entryClose;
        } catch (error) {
          rethrowWithin(error, `[${describeKey(k, i)}]`);
        }
        out += i === 0 ? pair : "," + pair;
        i++;
      }
      return out + close;
    };
  }

  function compileStruct(struct: StructDescriptor): JsonWrite {
    const { shape, prefixes, writers } = partsOf(struct);
    return (v) => {
      const value = checkStructValue(shape, v);
      let out = "{";
      let count = 0;
      for (const field of shape.fields) {
        const fieldValue = field.read(value);
        if (fieldValue === undefined) {
          if (field.required) throw missingRequired(field);
          continue;
        }
        try {
          out += (count === 0 ? prefixes[field.index] : "," + prefixes[field.index]) + writers[field.index]!(fieldValue);
        } catch (error) {
          rethrowWithin(error, field.descriptor.name);
        }
        count++;
      }
      if (shape.isUnion && count !== 1) throw unionCountError(shape, count);
      return out + "}";
    };
  }

  function writeArgs(struct: StructDescriptor, args: readonly unknown[]): string {
    const { shape, prefixes, writers } = partsOf(struct);
    let out = "{";
    let count = 0;
    for (const field of shape.fields) {
      const arg = args[field.index];
      if (arg === undefined || arg === null) {
        if (field.required) throw missingRequired(field);
        continue;
      }
      try {
        out += (count === 0 ? prefixes[field.index] : "," + prefixes[field.index]) + writers[field.index]!(arg);
      } catch (error) {
        rethrowWithin(error, field.descriptor.name);
      }
      count++;
    }
    return out + "}";
  }

  return { writerFor, structWriter, writeArgs };
}

/** NaN and the infinities are not JSON numbers, so they travel as strings; -0 keeps its sign. */
function doubleText(value: number): string {
  if (Number.isFinite(value)) return Object.is(value, -0) ? "-0" : String(value);
  if (Number.isNaN(value)) return '"NaN"';
  return value > 0 ? '"Infinity"' : '"-Infinity"';
}

/**
 * rpcgen's own JSON (docs/PROTOCOL.md): an i64 is a bare number, a list or set
 * an array, a map an array of `[key, value]` pairs, a field keyed by its IDL name.
 */
const rpcgenJson = jsonWriters({
  i64AsString: false,
  list: { open: "[", close: "]" },
  map: { open: "[", close: "]" },
  entry: { open: "[", between: ",", close: "]" },
  fieldNames: (struct) => shapeOf(struct).fields.map((field) => field.descriptor.name),
});

/** The JSON writer of a type, compiled once per descriptor object. */
export const jsonWriterFor: (type: TypeDescriptor) => JsonWrite = rpcgenJson.writerFor;
export const jsonStructWriter: (struct: StructDescriptor) => JsonWrite = rpcgenJson.structWriter;
/** Writes a method's arguments (in IDL order) as the object of its args struct. */
export const writeJsonArgs: (struct: StructDescriptor, args: readonly unknown[]) => string = rpcgenJson.writeArgs;
