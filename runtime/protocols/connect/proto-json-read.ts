import type { EnumDescriptor, StructDescriptor, TypeDescriptor } from "../../descriptor.js";
import { ValueError, describeValue, rethrowWithin } from "../../codec/value-error.js";
import { jsonFieldNames } from "./proto-json-names.js";

/**
 * Turns a parsed proto3 JSON value into rpcgen's own JSON form of the same type
 * (docs/PROTOCOL.md), which the JSON codec's readers then check and convert:
 * field names (json or proto names) become IDL names, wrapper messages become
 * arrays and `[key, value]` pairs, quoted integers numbers, an enum value's
 * IDL name its number, url-safe or unpadded base64 standard base64. Values of
 * the wrong shape pass through unchanged for the readers to reject with their
 * usual message; a string that names no value of its enum is refused here.
 */
export type ToRpcgenJson = (json: unknown) => unknown;

const converters = new WeakMap<TypeDescriptor, ToRpcgenJson>();
const structConverters = new WeakMap<StructDescriptor, ToRpcgenJson>();

export function protoJsonConverterFor(type: TypeDescriptor): ToRpcgenJson {
  let converter = converters.get(type);
  if (converter === undefined) {
    converter = compileType(type);
    converters.set(type, converter);
  }
  return converter;
}

/** The converter of a message: an object keyed by IDL field names. */
export function protoJsonStructConverter(struct: StructDescriptor): ToRpcgenJson {
  let converter = structConverters.get(struct);
  if (converter === undefined) {
    converter = compileStruct(struct);
    structConverters.set(struct, converter);
  }
  return converter;
}

const pass: ToRpcgenJson = (v) => v;

function compileType(type: TypeDescriptor): ToRpcgenJson {
  switch (type.kind) {
    case "i8":
    case "i16":
    case "i32":
      return readInt;
    case "enum":
      return enumReaderOf(type.enum);
    case "double":
      return (v) => (typeof v === "string" && v !== "NaN" && v !== "Infinity" && v !== "-Infinity" && v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : v);
    case "binary":
      return readBase64;
    case "list":
    case "set": {
      const element = protoJsonConverterFor(type.element);
      return (v) => {
        const items = isObject(v) ? (v["items"] ?? []) : v;
        if (!Array.isArray(items)) return items;
        return items.map((item, i) => within(`[${i}]`, () => element(item)));
      };
    }
    case "map": {
      const key = protoJsonConverterFor(type.key);
      const value = protoJsonConverterFor(type.value);
      return (v) => {
        const entries = isObject(v) ? (v["entries"] ?? []) : v;
        if (!Array.isArray(entries)) return entries;
        return entries.map((entry, i) => {
          if (Array.isArray(entry)) return entry;
          if (!isObject(entry)) throw new ValueError(`expected a map entry {"key": …, "value": …}, got ${describeValue(entry)}`).within(`[#${i}]`);
          return [within(`[key #${i}]`, () => key(entry["key"])), within(`[#${i}]`, () => value(entry["value"]))];
        });
      };
    }
    case "struct": {
      const thunk = type.struct;
      let converter: ToRpcgenJson | undefined;
      return (v) => (converter ??= protoJsonStructConverter(thunk()))(v);
    }
    default:
      return pass;
  }
}

function compileStruct(struct: StructDescriptor): ToRpcgenJson {
  const { byName } = jsonFieldNames(struct);
  return (v) => {
    if (!isObject(v)) return v;
    const out: Record<string, unknown> = Object.create(null);
    for (const key of Object.keys(v)) {
      const field = byName.get(key);
      const value = v[key];
      if (field === undefined || value === null) continue;
      out[field.descriptor.name] = within(key, () => protoJsonConverterFor(field.descriptor.type)(value));
    }
    return out;
  };
}

function readInt(v: unknown): unknown {
  if (typeof v === "string" && /^-?\d{1,10}$/.test(v)) return Number(v);
  if (typeof v === "bigint" && v >= -(1n << 31n) && v < 1n << 32n) return Number(v);
  return v;
}

const enumReaders = new WeakMap<EnumDescriptor, ToRpcgenJson>();

/**
 * An enum is `int32` in the generated `.proto` (docs/PROTO-MAPPING.md), so its
 * proto3 JSON is a number, and that is what is written. For people typing
 * requests, a value's IDL name (`"ADD"`) is read too; a name the enum does not
 * have is refused with the names it does.
 */
function enumReaderOf(descriptor: EnumDescriptor): ToRpcgenJson {
  let reader = enumReaders.get(descriptor);
  if (reader === undefined) {
    // A Map, not the values object: a name such as "constructor" must not find a prototype's property.
    const byName = new Map(Object.entries(descriptor.values));
    const known = describeNames([...byName.keys()]);
    reader = (v) => {
      if (typeof v !== "string" || /^-?\d/.test(v)) return readInt(v);
      const value = byName.get(v);
      if (value === undefined) throw new ValueError(`${describeValue(v)} names no value of enum ${descriptor.name} (${known})`);
      return value;
    };
    enumReaders.set(descriptor, reader);
  }
  return reader;
}

/** The names an enum has, for an error message: the first ten, then how many more. */
function describeNames(names: readonly string[]): string {
  if (names.length === 0) return "it has no values";
  const shown = names.slice(0, 10).join(", ");
  return names.length > 10 ? `its values: ${shown}, and ${names.length - 10} more` : `its values: ${shown}`;
}

/** Proto3 JSON accepts standard or url-safe base64, with or without padding. */
function readBase64(v: unknown): unknown {
  if (typeof v !== "string" || !/^[A-Za-z0-9+/_-]*={0,2}$/.test(v)) return v;
  return Buffer.from(v.replace(/-/g, "+").replace(/_/g, "/"), "base64").toString("base64");
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function within<T>(segment: string, convert: () => T): T {
  try {
    return convert();
  } catch (error) {
    rethrowWithin(error, segment);
  }
}
