import type { StructDescriptor, TypeDescriptor } from "../../descriptor.js";
import { mapEntries, describeKey, sequenceItems } from "../../codec/container-values.js";
import { checkI64, i64Digits } from "../../codec/i64.js";
import { checkBinary, checkBool, checkDouble, checkEnum, checkInt, checkString, checkUuid } from "../../codec/scalar-checks.js";
import { checkStructValue, missingRequired, shapeOf, unionCountError } from "../../codec/struct-shape.js";
import { rethrowWithin } from "../../codec/value-error.js";
import { jsonFieldNames } from "./proto-json-names.js";

/** Writes one value as proto3 JSON text; throws ValueError (with a path) on a value that does not fit its IDL type. */
export type ProtoJsonWrite = (value: unknown) => string;

const typeWriters = new WeakMap<TypeDescriptor, ProtoJsonWrite>();
const structWriters = new WeakMap<StructDescriptor, ProtoJsonWrite>();

/**
 * The proto3 JSON writer of a type, compiled once per descriptor: the canonical
 * JSON of the messages of the generated `.proto` (what Connect's JSON codec and
 * protobuf libraries read), not rpcgen's own JSON codec. i64 is a string,
 * binary base64, a container its wrapper message (`{"items": [...]}`,
 * `{"entries": [{"key": k, "value": v}]}`), fields by their json names.
 */
export function protoJsonWriterFor(type: TypeDescriptor): ProtoJsonWrite {
  let writer = typeWriters.get(type);
  if (writer === undefined) {
    writer = compileType(type);
    typeWriters.set(type, writer);
  }
  return writer;
}

export function protoJsonStructWriter(struct: StructDescriptor): ProtoJsonWrite {
  let writer = structWriters.get(struct);
  if (writer === undefined) {
    writer = compileStruct(struct);
    structWriters.set(struct, writer);
  }
  return writer;
}

function compileType(type: TypeDescriptor): ProtoJsonWrite {
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
      return (v) => `"${i64Digits(checkI64(v))}"`;
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
    case "set": {
      const writeElement = protoJsonWriterFor(type.element);
      const kind = type.kind;
      return (v) => {
        let out = "";
        let i = 0;
        for (const item of sequenceItems(kind, v)) {
          try {
            out += (i === 0 ? "" : ",") + writeElement(item);
          } catch (error) {
            rethrowWithin(error, `[${i}]`);
          }
          i++;
        }
        return `{"items":[${out}]}`;
      };
    }
    case "map": {
      const writeKey = protoJsonWriterFor(type.key);
      const writeValue = protoJsonWriterFor(type.value);
      return (v) => {
        let out = "";
        let i = 0;
        for (const [key, value] of mapEntries(v)) {
          let entry: string;
          try {
            entry = `{"key":${writeKey(key)},`;
          } catch (error) {
            rethrowWithin(error, `[key #${i}]`);
          }
          try {
            entry += `"value":${writeValue(value)}}`;
          } catch (error) {
            rethrowWithin(error, `[${describeKey(key, i)}]`);
          }
          out += (i === 0 ? "" : ",") + entry;
          i++;
        }
        return `{"entries":[${out}]}`;
      };
    }
    case "struct": {
      const thunk = type.struct;
      let writer: ProtoJsonWrite | undefined;
      // Resolved on first use: the struct may be the one being compiled (recursion).
      return (v) => (writer ??= protoJsonStructWriter(thunk()))(v);
    }
  }
}

function compileStruct(struct: StructDescriptor): ProtoJsonWrite {
  const shape = shapeOf(struct);
  const prefixes = jsonFieldNames(struct).written.map((name) => `${JSON.stringify(name)}:`);
  const writers = shape.fields.map((field) => protoJsonWriterFor(field.descriptor.type));
  return (v) => {
    const value = checkStructValue(shape, v);
    let out = "";
    let count = 0;
    for (const field of shape.fields) {
      const fieldValue = field.read(value);
      if (fieldValue === undefined) {
        if (field.required) throw missingRequired(field);
        continue;
      }
      try {
        out += (count === 0 ? "" : ",") + prefixes[field.index] + writers[field.index]!(fieldValue);
      } catch (error) {
        rethrowWithin(error, field.descriptor.name);
      }
      count++;
    }
    if (shape.isUnion && count !== 1) throw unionCountError(shape, count);
    return `{${out}}`;
  };
}

/** NaN and the infinities are strings in proto3 JSON; -0 keeps its sign. */
function doubleText(value: number): string {
  if (Number.isFinite(value)) return Object.is(value, -0) ? "-0" : String(value);
  if (Number.isNaN(value)) return '"NaN"';
  return value > 0 ? '"Infinity"' : '"-Infinity"';
}
