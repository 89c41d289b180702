import type { StructDescriptor, TypeDescriptor } from "../descriptor.js";
import { i64Digits, checkI64 } from "./i64.js";
import { checkBinary, checkBool, checkDouble, checkEnum, checkInt, checkString, checkUuid } from "./scalar-checks.js";
import { checkStructValue, missingRequired, shapeOf, unionCountError, type StructShape } from "./struct-shape.js";
import { describeKey, mapEntries, sequenceItems } from "./container-values.js";
import { rethrowWithin } from "./value-error.js";

/** Writes one value as JSON text; throws ValueError (with a path) on a value that does not fit. */
export type JsonWrite = (value: unknown) => string;

const typeWriters = new WeakMap<TypeDescriptor, JsonWrite>();
const structWriters = new WeakMap<StructDescriptor, JsonWrite>();

/** The JSON writer of a type, compiled once per descriptor object. */
export function jsonWriterFor(type: TypeDescriptor): JsonWrite {
  let writer = typeWriters.get(type);
  if (writer === undefined) {
    writer = compileType(type);
    typeWriters.set(type, writer);
  }
  return writer;
}

export function jsonStructWriter(struct: StructDescriptor): JsonWrite {
  let writer = structWriters.get(struct);
  if (writer === undefined) {
    writer = compileStruct(struct);
    structWriters.set(struct, writer);
  }
  return writer;
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
      return (v) => i64Digits(checkI64(v));
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
      return (v) => (writer ??= jsonStructWriter(thunk()))(v);
    }
  }
}

/** NaN and the infinities are not JSON numbers, so they travel as strings; -0 keeps its sign. */
function doubleText(value: number): string {
  if (Number.isFinite(value)) return Object.is(value, -0) ? "-0" : String(value);
  if (Number.isNaN(value)) return '"NaN"';
  return value > 0 ? '"Infinity"' : '"-Infinity"';
}

function compileSequence(kind: "list" | "set", element: TypeDescriptor): JsonWrite {
  const writeElement = jsonWriterFor(element);
  return (v) => {
    const items = sequenceItems(kind, v);
    let out = "[";
    let i = 0;
    for (const item of items) {
      try {
        out += i === 0 ? writeElement(item) : "," + writeElement(item);
      } catch (error) {
        rethrowWithin(error, `[${i}]`);
      }
      i++;
    }
    return out + "]";
  };
}

function compileMap(key: TypeDescriptor, value: TypeDescriptor): JsonWrite {
  const writeKey = jsonWriterFor(key);
  const writeValue = jsonWriterFor(value);
  return (v) => {
    const entries = mapEntries(v);
    let out = "[";
    let i = 0;
    for (const [k, item] of entries) {
      let pair: string;
      try {
        pair = "[" + writeKey(k) + ",";
      } catch (error) {
        rethrowWithin(error, `[key #${i}]`);
      }
      try {
        pair += writeValue(item) + "]";
      } catch (error) {
        rethrowWithin(error, `[${describeKey(k, i)}]`);
      }
      out += i === 0 ? pair : "," + pair;
      i++;
    }
    return out + "]";
  };
}

interface StructParts {
  readonly shape: StructShape;
  /** `"name":` of each field, quoted once. */
  readonly prefixes: readonly string[];
  readonly writers: readonly JsonWrite[];
}

const structParts = new WeakMap<StructDescriptor, StructParts>();

function partsOf(struct: StructDescriptor): StructParts {
  let parts = structParts.get(struct);
  if (parts === undefined) {
    const shape = shapeOf(struct);
    parts = {
      shape,
      prefixes: shape.fields.map((f) => JSON.stringify(f.descriptor.name) + ":"),
      writers: shape.fields.map((f) => jsonWriterFor(f.descriptor.type)),
    };
    structParts.set(struct, parts);
  }
  return parts;
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

/** Writes a method's arguments (in IDL order) as the object of its args struct. */
export function writeJsonArgs(struct: StructDescriptor, args: readonly unknown[]): string {
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
