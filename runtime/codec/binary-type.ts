import type { StructDescriptor, TypeDescriptor } from "../descriptor.js";
import { checkI64, i64As } from "./i64.js";
import type { Reader, Writer } from "./protobuf-runtime.js";
import {
  checkBinary,
  checkBool,
  checkDouble,
  checkEnum,
  checkInt,
  checkUtf8String,
  checkUuid,
} from "./scalar-checks.js";
import { readInt64, writeInt64 } from "./varint64.js";
import { ValueError } from "./value-error.js";
import { WireType, messageEnd, type BinaryType } from "./protobuf-wire.js";
import { mapType, sequenceType } from "./binary-containers.js";
import { emptyStruct, readStructMessage, writeStructFields } from "./binary-struct.js";

const types = new WeakMap<TypeDescriptor, BinaryType>();

/** The binary form of a type, compiled once per descriptor object. */
export function binaryTypeOf(type: TypeDescriptor): BinaryType {
  let compiled = types.get(type);
  if (compiled === undefined) {
    compiled = compile(type);
    types.set(type, compiled);
  }
  return compiled;
}

function scalar(
  wireType: number,
  write: (writer: Writer, value: unknown) => void,
  read: (reader: Reader) => unknown,
  zero: () => unknown,
): BinaryType {
  return { wireType, packable: wireType !== WireType.LengthDelimited, write, read, zero };
}

const noZero = (what: string) => (): never => {
  throw new ValueError(`map entry omits its ${what}, which has no zero value`);
};

function compile(type: TypeDescriptor): BinaryType {
  switch (type.kind) {
    case "bool":
      return scalar(
        WireType.Varint,
        (w, v) => w.bool(checkBool(v)),
        (r) => r.bool(),
        () => false,
      );
    case "i8":
    case "i16":
    case "i32": {
      const kind = type.kind;
      return scalar(
        WireType.Varint,
        (w, v) => w.int32(checkInt(kind, v)),
        (r) => checkInt(kind, r.int32()),
        () => 0,
      );
    }
    case "i64": {
      const repr = type.repr;
      return scalar(
        WireType.Varint,
        (w, v) => writeInt64(w, checkI64(v)),
        (r) => i64As(repr, readInt64(r)),
        () => i64As(repr, 0),
      );
    }
    case "double":
      return scalar(
        WireType.Fixed64,
        (w, v) => w.double(checkDouble(v)),
        (r) => r.double(),
        () => 0,
      );
    case "string":
      return scalar(
        WireType.LengthDelimited,
        (w, v) => w.string(checkUtf8String(v)),
        (r) => r.string(),
        () => "",
      );
    case "uuid":
      return scalar(
        WireType.LengthDelimited,
        (w, v) => w.string(checkUuid(v)),
        (r) => checkUuid(r.string()),
        noZero("uuid"),
      );
    case "binary":
      return scalar(
        WireType.LengthDelimited,
        (w, v) => w.bytes(checkBinary(v)),
        // A copy: a view would pin the whole received frame for as long as the value lives.
        (r) => Buffer.from(r.bytes()),
        () => Buffer.alloc(0),
      );
    case "enum": {
      const values = new Set(Object.values(type.enum.values));
      const name = type.enum.name;
      const zero = values.has(0) ? () => 0 : noZero(`enum ${name}`);
      return scalar(
        WireType.Varint,
        (w, v) => w.int32(checkEnum(values, name, v)),
        (r) => checkEnum(values, name, r.int32()),
        zero,
      );
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

function structType(thunk: () => StructDescriptor): BinaryType {
  let struct: StructDescriptor | undefined;
  const resolve = () => (struct ??= thunk());
  return {
    wireType: WireType.LengthDelimited,
    packable: false,
    write(writer, value) {
      writer.fork();
      writeStructFields(resolve(), writer, value);
      writer.ldelim();
    },
    read(reader) {
      return readStructMessage(resolve(), reader, messageEnd(reader));
    },
    zero() {
      return emptyStruct(resolve());
    },
  };
}
