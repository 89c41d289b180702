import type { StructDescriptor } from "../descriptor.js";
import { shapeOf, type FieldShape } from "./struct-shape.js";

/** A method's result struct as both codecs read it: fields by Thrift id, and whether it is void. */
export interface ResultShape {
  readonly byId: ReadonlyMap<number, FieldShape>;
  /** No `success` field (id 0): a successful outcome carries nothing. */
  readonly isVoid: boolean;
}

const results = new WeakMap<StructDescriptor, ResultShape>();

export function resultShapeOf(result: StructDescriptor): ResultShape {
  let shape = results.get(result);
  if (shape === undefined) {
    const fields = shapeOf(result).fields;
    shape = {
      byId: new Map(fields.map((f) => [f.descriptor.id, f])),
      isVoid: !fields.some((f) => f.descriptor.id === 0),
    };
    results.set(result, shape);
  }
  return shape;
}
