import type { FieldDescriptor, StructDescriptor, TypeDescriptor } from "../descriptor.js";
import { RespConversionError } from "./resp-conversion-error.js";
import {
  checkIntegerRange,
  formatScalarText,
  i64ToBigInt,
  isTextScalar,
  mismatch,
  parseScalarText,
  toI64Representation,
  type TextScalarType,
} from "./scalar-text.js";

/**
 * How RESP carries structs and containers: as JSON text. The mapping, by IDL type:
 * struct/exception → object keyed by IDL field name (absent fields omitted);
 * union → object with exactly one key; list/set → array; map → object when the key
 * type has a text form (string, uuid, integers, bool, double, enum), else an array
 * of `[key, value]` pairs; i64 → decimal string (numbers accepted when exact);
 * double → number, or the strings `"nan"`, `"inf"`, `"-inf"`, `"-0"`;
 * binary → base64 string; enum → its number (its name accepted on input).
 * Any scalar may also be given as a string in its text form.
 */
export interface JsonReadOptions {
  /** Reject object keys that name no field (for input typed by people); replies ignore them. */
  readonly rejectUnknownFields: boolean;
}

/** Converts a typed JavaScript value to a JSON-ready value. */
export function toJsonValue(value: unknown, type: TypeDescriptor, path: string): unknown {
  switch (type.kind) {
    case "bool":
    case "string":
    case "uuid":
    case "binary":
      if (type.kind === "bool" && typeof value === "boolean") return value;
      return formatScalarText(value, type, path);
    case "i8":
    case "i16":
    case "i32":
      return checkIntegerRange(value, type.kind, path);
    case "enum":
      return checkIntegerRange(value, "i32", path);
    case "i64":
      return i64ToBigInt(value, path).toString();
    case "double":
      if (typeof value !== "number") throw mismatch(path, value, "a number");
      return Number.isFinite(value) && !Object.is(value, -0) ? value : formatScalarText(value, type, path);
    case "list":
    case "set": {
      const items = type.kind === "list" ? asArray(value, path) : asSetItems(value, path);
      return items.map((item, i) => toJsonValue(item, type.element, `${path}[${i}]`));
    }
    case "map": {
      if (!(value instanceof Map)) throw mismatch(path, value, "a Map");
      if (isJsonObjectKey(type.key)) {
        const out: Record<string, unknown> = {};
        for (const [key, item] of value) {
          const text = formatScalarText(key, type.key as TextScalarType, `${path} key`);
          Object.defineProperty(out, text, { value: toJsonValue(item, type.value, `${path}[${JSON.stringify(text)}]`), enumerable: true, writable: true, configurable: true });
        }
        return out;
      }
      return [...value].map(([key, item], i) => [
        toJsonValue(key, type.key, `${path} key ${i}`),
        toJsonValue(item, type.value, `${path} value ${i}`),
      ]);
    }
    case "struct":
      return structToJson(value, type.struct(), path);
  }
}

/** Reads a value of `type` from parsed JSON, checking it fully; never returns a half-converted value. */
export function fromJsonValue(json: unknown, type: TypeDescriptor, path: string, options: JsonReadOptions): unknown {
  if (isTextScalar(type)) return scalarFromJson(json, type, path);
  switch (type.kind) {
    case "list":
      return jsonArray(json, path).map((item, i) => fromJsonValue(item, type.element, `${path}[${i}]`, options));
    case "set":
      return new Set(jsonArray(json, path).map((item, i) => fromJsonValue(item, type.element, `${path}[${i}]`, options)));
    case "map":
      return mapFromJson(json, type, path, options);
    case "struct":
      return structFromJson(json, type.struct(), path, options);
  }
}

/** Map keys that JSON object keys can hold losslessly. */
export function isJsonObjectKey(type: TypeDescriptor): boolean {
  return isTextScalar(type) && type.kind !== "binary";
}

function scalarFromJson(json: unknown, type: TextScalarType, path: string): unknown {
  if (typeof json === "string") return parseScalarText(json, type, path);
  switch (type.kind) {
    case "bool":
      if (typeof json === "boolean") return json;
      break;
    case "i8":
    case "i16":
    case "i32":
      if (typeof json === "number") return checkIntegerRange(json, type.kind, path);
      break;
    case "enum":
      if (typeof json === "number") return parseScalarText(String(json), type, path);
      break;
    case "i64":
      if (typeof json === "number") {
        if (!Number.isSafeInteger(json)) {
          throw new RespConversionError(path, `${json} is not an exact integer; write large i64 values as strings`);
        }
        return toI64Representation(BigInt(json), type.repr, path);
      }
      break;
    case "double":
      if (typeof json === "number") return json;
      break;
    default:
      break;
  }
  throw mismatch(path, json, type.kind === "binary" ? "a base64 string" : `a ${type.kind}`);
}

function mapFromJson(json: unknown, type: Extract<TypeDescriptor, { kind: "map" }>, path: string, options: JsonReadOptions): Map<unknown, unknown> {
  const result = new Map<unknown, unknown>();
  if (Array.isArray(json)) {
    json.forEach((entry, i) => {
      if (!Array.isArray(entry) || entry.length !== 2) throw mismatch(`${path}[${i}]`, entry, "a [key, value] pair");
      result.set(fromJsonValue(entry[0], type.key, `${path} key ${i}`, options), fromJsonValue(entry[1], type.value, `${path} value ${i}`, options));
    });
    return result;
  }
  if (!isPlainObject(json) || !isJsonObjectKey(type.key)) {
    throw mismatch(path, json, isJsonObjectKey(type.key) ? "an object or an array of [key, value] pairs" : "an array of [key, value] pairs");
  }
  for (const [key, item] of Object.entries(json)) {
    const typedKey = parseScalarText(key, type.key as TextScalarType, `${path} key ${JSON.stringify(key)}`);
    result.set(typedKey, fromJsonValue(item, type.value, `${path}[${JSON.stringify(key)}]`, options));
  }
  return result;
}

function structToJson(value: unknown, struct: StructDescriptor, path: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null) throw mismatch(path, value, `a ${struct.name} object`);
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const field of struct.fields) {
    const item = source[field.jsName];
    if (item === undefined || item === null) continue;
    const json = toJsonValue(item, field.type, fieldPath(path, field));
    // A plain assignment to "__proto__" would set the prototype instead of a key.
    if (field.name === "__proto__") Object.defineProperty(out, field.name, { value: json, enumerable: true, writable: true, configurable: true });
    else out[field.name] = json;
  }
  return out;
}

/** Each struct's fields by IDL name, built once rather than on every decode. */
const fieldsByNameCache = new WeakMap<StructDescriptor, ReadonlyMap<string, FieldDescriptor>>();

function fieldsByName(struct: StructDescriptor): ReadonlyMap<string, FieldDescriptor> {
  let byName = fieldsByNameCache.get(struct);
  if (byName === undefined) {
    byName = new Map(struct.fields.map((field) => [field.name, field]));
    fieldsByNameCache.set(struct, byName);
  }
  return byName;
}

function structFromJson(json: unknown, struct: StructDescriptor, path: string, options: JsonReadOptions): unknown {
  if (!isPlainObject(json)) throw mismatch(path, json, `a JSON object for ${struct.name}`);
  if (options.rejectUnknownFields) {
    const byName = fieldsByName(struct);
    for (const key of Object.keys(json)) {
      if (byName.has(key)) continue;
      const known = struct.fields.map((f) => f.name).join(", ");
      throw new RespConversionError(path, `${struct.name} has no field '${key}' (fields: ${known})`);
    }
  }
  // Walking the declared fields (rather than the JSON's keys) allocates no entry arrays.
  const fields: Record<string, unknown> = {};
  let present = 0;
  for (const field of struct.fields) {
    if (!Object.hasOwn(json, field.name)) continue;
    const item = json[field.name];
    if (item === null) continue;
    fields[field.jsName] = fromJsonValue(item, field.type, fieldPath(path, field), options);
    present++;
  }
  if (struct.kind === "union") {
    if (present !== 1) throw new RespConversionError(path, `union ${struct.name} needs exactly one field set, got ${present}`);
  } else {
    for (const field of struct.fields) {
      if (fields[field.jsName] !== undefined) continue;
      if (field.requiredness === "required") throw new RespConversionError(path, `${struct.name} is missing required field '${field.name}'`);
      if (field.defaultValue) fields[field.jsName] = field.defaultValue();
    }
  }
  if (struct.kind === "exception" && struct.exceptionClass) return new struct.exceptionClass(fields);
  return fields;
}

function fieldPath(path: string, field: FieldDescriptor): string {
  return path === "" ? field.name : `${path}.${field.name}`;
}

function jsonArray(json: unknown, path: string): unknown[] {
  if (!Array.isArray(json)) throw mismatch(path, json, "a JSON array");
  return json;
}

function asArray(value: unknown, path: string): readonly unknown[] {
  if (!Array.isArray(value)) throw mismatch(path, value, "an array");
  return value;
}

function asSetItems(value: unknown, path: string): unknown[] {
  if (value instanceof Set) return [...value];
  if (Array.isArray(value)) return value;
  throw mismatch(path, value, "a Set");
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
