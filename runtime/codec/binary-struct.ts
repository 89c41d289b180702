import type { StructDescriptor } from "../descriptor.js";
import { binaryTypeOf } from "./binary-type.js";
import { checkEnd, skipUnknown, wrongWireType, type BinaryType } from "./protobuf-wire.js";
import type { Reader, Writer } from "./protobuf-runtime.js";
import {
  checkStructValue,
  missingRequired,
  shapeOf,
  structFromSlots,
  unionCountError,
  type FieldShape,
  type StructShape,
} from "./struct-shape.js";
import { ValueError, rethrowWithin } from "./value-error.js";

/** A field with its tag and binary type worked out once. */
interface FieldPlan {
  readonly field: FieldShape;
  readonly name: string;
  readonly tag: number;
  readonly type: BinaryType;
}

interface StructPlan {
  readonly shape: StructShape;
  readonly fields: readonly FieldPlan[];
  readonly byNumber: ReadonlyMap<number, FieldPlan>;
  /** The same for numbers below SMALL_NUMBERS: an array index is cheaper than a Map lookup per field. */
  readonly bySmallNumber: readonly (FieldPlan | undefined)[];
}

const SMALL_NUMBERS = 128;

const plans = new WeakMap<StructDescriptor, StructPlan>();

function planOf(struct: StructDescriptor): StructPlan {
  let plan = plans.get(struct);
  if (plan === undefined) {
    const shape = shapeOf(struct);
    const fields = shape.fields.map((field): FieldPlan => {
      const type = binaryTypeOf(field.descriptor.type);
      const number = field.descriptor.protoNumber;
      if (!Number.isInteger(number) || number < 1 || number > 536870911 || (number >= 19000 && number <= 19999)) {
        throw new ValueError(`field ${field.descriptor.name} of ${struct.name} has invalid protobuf number ${number}`);
      }
      return { field, name: field.descriptor.name, tag: ((number << 3) | type.wireType) >>> 0, type };
    });
    const bySmallNumber = new Array<FieldPlan | undefined>(SMALL_NUMBERS).fill(undefined);
    for (const f of fields)
      if (f.field.descriptor.protoNumber < SMALL_NUMBERS) bySmallNumber[f.field.descriptor.protoNumber] = f;
    plan = { shape, fields, byNumber: new Map(fields.map((f) => [f.field.descriptor.protoNumber, f])), bySmallNumber };
    plans.set(struct, plan);
  }
  return plan;
}

/** Writes the fields of a struct, union or exception value (the message body, without a length). */
export function writeStructFields(struct: StructDescriptor, writer: Writer, value: unknown): void {
  const plan = planOf(struct);
  const object = checkStructValue(plan.shape, value);
  let count = 0;
  for (const field of plan.fields) {
    const fieldValue = field.field.read(object);
    if (fieldValue === undefined) {
      if (field.field.required) throw missingRequired(field.field);
      continue;
    }
    try {
      writer.uint32(field.tag);
      field.type.write(writer, fieldValue);
    } catch (error) {
      rethrowWithin(error, field.name);
    }
    count++;
  }
  if (plan.shape.isUnion && count !== 1) throw unionCountError(plan.shape, count);
}

/** Writes a method's arguments (IDL order) as the fields of its `_args` message. */
export function writeArgsFields(struct: StructDescriptor, writer: Writer, args: readonly unknown[]): void {
  const plan = planOf(struct);
  for (const field of plan.fields) {
    const arg = args[field.field.index];
    if (arg === undefined || arg === null) {
      if (field.field.required) throw missingRequired(field.field);
      continue;
    }
    try {
      writer.uint32(field.tag);
      field.type.write(writer, arg);
    } catch (error) {
      rethrowWithin(error, field.name);
    }
  }
}

/** Writes one field of a struct (used for the one member of a result). */
export function writeOneField(struct: StructDescriptor, writer: Writer, index: number, value: unknown): void {
  const field = planOf(struct).fields[index]!;
  try {
    writer.uint32(field.tag);
    field.type.write(writer, value);
  } catch (error) {
    rethrowWithin(error, field.name);
  }
}

/**
 * Reads the fields of a message ending at `end` into slots (index = field
 * position). Unknown fields are skipped; a repeated singular field keeps its
 * last value, as protobuf does.
 */
export function readStructSlots(struct: StructDescriptor, reader: Reader, end: number): unknown[] {
  const plan = planOf(struct);
  const slots = new Array<unknown>(plan.fields.length);
  while (reader.pos < end) {
    const tag = reader.uint32();
    const number = tag >>> 3;
    const field = number < SMALL_NUMBERS ? plan.bySmallNumber[number] : plan.byNumber.get(number);
    if (field === undefined) {
      skipUnknown(reader, tag);
      continue;
    }
    try {
      if ((tag & 7) !== field.type.wireType) throw wrongWireType(tag & 7, field.type.wireType);
      slots[field.field.index] = field.type.read(reader);
    } catch (error) {
      rethrowWithin(error, field.name);
    }
  }
  checkEnd(reader, end);
  return slots;
}

export function readStructMessage(struct: StructDescriptor, reader: Reader, end: number): unknown {
  return structFromSlots(planOf(struct).shape, readStructSlots(struct, reader, end));
}

/** The value of a message that is absent where proto3 means "empty" (a map entry's omitted value). */
export function emptyStruct(struct: StructDescriptor): unknown {
  const plan = planOf(struct);
  return structFromSlots(plan.shape, new Array<unknown>(plan.fields.length));
}
