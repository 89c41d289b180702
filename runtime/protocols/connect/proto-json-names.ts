import type { StructDescriptor } from "../../descriptor.js";
import { shapeOf, type FieldShape } from "../../codec/struct-shape.js";
import { protoIdentifier } from "../http/rpc-paths.js";

/**
 * protoc's json_name of a field: its proto name with each `_` dropped and the
 * letter after it upper-cased (`dividend_value` → `dividendValue`). Proto3 JSON
 * writes this name; readers accept it and the proto name.
 */
export function jsonName(protoName: string): string {
  let out = "";
  let upper = false;
  for (const ch of protoName) {
    if (ch === "_") upper = true;
    else {
      out += upper ? ch.toUpperCase() : ch;
      upper = false;
    }
  }
  return out;
}

/** A struct's fields by every name proto3 JSON may use for them (json name and proto name). */
export interface JsonFieldNames {
  /** The json name written for each field, by field index. */
  readonly written: readonly string[];
  readonly byName: ReadonlyMap<string, FieldShape>;
}

const names = new WeakMap<StructDescriptor, JsonFieldNames>();

export function jsonFieldNames(struct: StructDescriptor): JsonFieldNames {
  let found = names.get(struct);
  if (found === undefined) {
    const fields = shapeOf(struct).fields;
    const byName = new Map<string, FieldShape>();
    const written: string[] = [];
    for (const field of fields) {
      const protoName = protoIdentifier(field.descriptor.name);
      written.push(jsonName(protoName));
      byName.set(protoName, field);
      byName.set(jsonName(protoName), field);
    }
    found = { written, byName };
    names.set(struct, found);
  }
  return found;
}
