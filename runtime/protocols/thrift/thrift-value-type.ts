import type { StructDescriptor, TypeDescriptor } from "../../descriptor.js";
import { checkI64, i64As } from "../../codec/i64.js";
import {
  checkBinary,
  checkBool,
  checkDouble,
  checkEnum,
  checkInt,
  checkUtf8String,
  checkUuid,
} from "../../codec/scalar-checks.js";
import { mapType, sequenceType } from "./thrift-containers.js";
import type { ThriftInput } from "./thrift-input.js";
import type { ThriftOutput } from "./thrift-output.js";
import { readStruct, writeStruct } from "./thrift-struct.js";
import { TType } from "./thrift-wire-types.js";

/**
 * How one IDL type goes on the Thrift wire, compiled once per type descriptor:
 * its type id and a writer and reader that check the value against the IDL type
 * (the same checks as rpcgen's other codecs). The protocol (binary or compact)
 * is the output's or input's business, so one compiled type serves both.
 */
export interface ThriftValueType {
  readonly ttype: number;
  /** Writes `value` (never null or undefined); throws ValueError when it does not fit the type. */
  write(out: ThriftOutput, value: unknown): void;
  read(input: ThriftInput): unknown;
}

const compiled = new WeakMap<TypeDescriptor, ThriftValueType>();

export function thriftTypeOf(type: TypeDescriptor): ThriftValueType {
  let valueType = compiled.get(type);
  if (valueType === undefined) {
    valueType = compile(type);
    compiled.set(type, valueType);
  }
  return valueType;
}

const boolType: ThriftValueType = {
  ttype: TType.BOOL,
  write: (out, value) => out.bool(checkBool(value)),
  read: (input) => input.bool(),
};

const i8Type: ThriftValueType = {
  ttype: TType.I8,
  write: (out, value) => out.i8(checkInt("i8", value)),
  read: (input) => input.i8(),
};

const i16Type: ThriftValueType = {
  ttype: TType.I16,
  write: (out, value) => out.i16(checkInt("i16", value)),
  // A compact varint can hold more than an i16.
  read: (input) => checkInt("i16", input.i16()),
};

const i32Type: ThriftValueType = {
  ttype: TType.I32,
  write: (out, value) => out.i32(checkInt("i32", value)),
  read: (input) => input.i32(),
};

const doubleType: ThriftValueType = {
  ttype: TType.DOUBLE,
  write: (out, value) => out.double(checkDouble(value)),
  read: (input) => input.double(),
};

const stringType: ThriftValueType = {
  ttype: TType.STRING,
  write: (out, value) => out.string(checkUtf8String(value)),
  read: (input) => input.string(),
};

const binaryType: ThriftValueType = {
  ttype: TType.STRING,
  write: (out, value) => out.binary(checkBinary(value)),
  read: (input) => input.binary(),
};

const uuidType: ThriftValueType = {
  ttype: TType.UUID,
  write: (out, value) => out.uuid(checkUuid(value)),
  read: (input) => input.uuid(),
};

const i64Types = {
  bigint: i64Type("bigint"),
  number: i64Type("number"),
  string: i64Type("string"),
};

function i64Type(repr: "bigint" | "number" | "string"): ThriftValueType {
  return {
    ttype: TType.I64,
    write: (out, value) => out.i64(checkI64(value)),
    read: (input) => i64As(repr, input.i64()),
  };
}

function compile(type: TypeDescriptor): ThriftValueType {
  switch (type.kind) {
    case "bool":
      return boolType;
    case "i8":
      return i8Type;
    case "i16":
      return i16Type;
    case "i32":
      return i32Type;
    case "i64":
      return i64Types[type.repr];
    case "double":
      return doubleType;
    case "string":
      return stringType;
    case "binary":
      return binaryType;
    case "uuid":
      return uuidType;
    case "enum": {
      // Enums travel as their i32 value.
      const values = new Set(Object.values(type.enum.values));
      const name = type.enum.name;
      return {
        ttype: TType.I32,
        write: (out, value) => out.i32(checkEnum(values, name, value)),
        read: (input) => checkEnum(values, name, input.i32()),
      };
    }
    case "list":
    case "set":
      return sequenceType(type.kind, type.element);
    case "map":
      return mapType(type.key, type.value);
    case "struct":
      return structType(type.struct);
  }
}

function structType(thunk: () => StructDescriptor): ThriftValueType {
  // Resolved on first use: a struct may contain itself.
  let struct: StructDescriptor | undefined;
  return {
    ttype: TType.STRUCT,
    write: (out, value) => writeStruct(out, (struct ??= thunk()), value),
    read: (input) => readStruct(input, (struct ??= thunk())),
  };
}
