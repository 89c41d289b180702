import type { FieldDescriptor, StructDescriptor } from "../descriptor.js";
import { ValueError, describeValue } from "./value-error.js";

/** A field as both codecs walk it, with its property access decided once. */
export interface FieldShape {
  readonly index: number;
  readonly descriptor: FieldDescriptor;
  readonly required: boolean;
  /** Reads the field's property; null counts as absent (undefined). */
  read(value: object): unknown;
}

/** Per-struct facts shared by the codecs, computed once per descriptor. */
export interface StructShape {
  readonly descriptor: StructDescriptor;
  readonly fields: readonly FieldShape[];
  readonly byName: ReadonlyMap<string, FieldShape>;
  readonly byNumber: ReadonlyMap<number, FieldShape>;
  readonly isUnion: boolean;
}

const shapes = new WeakMap<StructDescriptor, StructShape>();

export function shapeOf(descriptor: StructDescriptor): StructShape {
  let shape = shapes.get(descriptor);
  if (shape === undefined) {
    shape = buildShape(descriptor);
    shapes.set(descriptor, shape);
  }
  return shape;
}

function buildShape(descriptor: StructDescriptor): StructShape {
  const fields = descriptor.fields.map((field, index): FieldShape => {
    const jsName = field.jsName;
    // An own-property check keeps a "__proto__" field from reading Object.prototype.
    const read =
      jsName === "__proto__"
        ? (value: object) => (Object.hasOwn(value, jsName) ? nullToUndefined((value as any)[jsName]) : undefined)
        : (value: object) => {
            const v = (value as Record<string, unknown>)[jsName];
            return v === null ? undefined : v;
          };
    return { index, descriptor: field, required: field.requiredness === "required", read };
  });
  return {
    descriptor,
    fields,
    byName: new Map(fields.map((f) => [f.descriptor.name, f])),
    byNumber: new Map(fields.map((f) => [f.descriptor.protoNumber, f])),
    isUnion: descriptor.kind === "union",
  };
}

function nullToUndefined(value: unknown): unknown {
  return value === null ? undefined : value;
}

/** Throws unless `value` can be read as the struct (an object). */
export function checkStructValue(shape: StructShape, value: unknown): object {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) return value;
  throw new ValueError(`expected ${shape.descriptor.kind} ${shape.descriptor.name}, got ${describeValue(value)}`);
}

export function missingRequired(field: FieldShape): ValueError {
  return new ValueError("required field is missing").within(field.descriptor.name);
}

export function unionCountError(shape: StructShape, count: number): ValueError {
  return new ValueError(`union ${shape.descriptor.name} must have exactly one field set, found ${count}`);
}

/**
 * Checks presence in decoded field slots (index = field position) and fills in
 * IDL defaults of absent default-requiredness fields. Returns the slots.
 */
export function completeSlots(shape: StructShape, slots: unknown[]): unknown[] {
  let count = 0;
  for (const field of shape.fields) {
    if (slots[field.index] !== undefined) {
      count++;
      continue;
    }
    if (field.required) throw missingRequired(field);
    const makeDefault = field.descriptor.defaultValue;
    // Written even when undefined, so that argument arrays have no holes.
    slots[field.index] =
      makeDefault !== undefined && field.descriptor.requiredness === "default" && !shape.isUnion
        ? makeDefault()
        : undefined;
  }
  if (shape.isUnion && count !== 1) throw unionCountError(shape, count);
  return slots;
}

/** Builds the JavaScript value of a decoded struct: a plain object, or the generated exception. */
export function structFromSlots(shape: StructShape, slots: unknown[]): object {
  completeSlots(shape, slots);
  const out: Record<string, unknown> = {};
  for (const field of shape.fields) {
    const value = slots[field.index];
    if (value === undefined) continue;
    const jsName = field.descriptor.jsName;
    // Assigning "__proto__" would set the prototype instead of a property.
    if (jsName === "__proto__") {
      Object.defineProperty(out, jsName, { value, enumerable: true, writable: true, configurable: true });
    } else {
      out[jsName] = value;
    }
  }
  const exceptionClass = shape.descriptor.exceptionClass;
  if (exceptionClass === undefined) return out;
  try {
    return new exceptionClass(out);
  } catch (error) {
    throw new ValueError(
      `exception class of ${shape.descriptor.name} failed to construct: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}
