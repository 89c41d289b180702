import type { Field, FunctionDef, Struct } from "../../idl/ast.js";
import { NameScope } from "../name-scope.js";
import { exceptionPropertyCandidate, fieldPropertyCandidate, methodPropertyCandidate } from "../safe-identifier.js";

const structCache = new WeakMap<Struct, ReadonlyMap<Field, string>>();

/**
 * The JavaScript property (`FieldDescriptor.jsName`) of each field of a struct,
 * union or exception. `isStringField` tells whether a field's type is string,
 * which lets an exception's `message` field be the Error's own message.
 */
export function fieldProperties(struct: Struct, isStringField: (field: Field) => boolean): ReadonlyMap<Field, string> {
  let properties = structCache.get(struct);
  if (properties === undefined) {
    const scope = new NameScope(struct.fields.map((f) => f.name.name).filter((n) => n !== "__proto__"));
    const map = new Map<Field, string>();
    for (const field of struct.fields) {
      const name = field.name.name;
      const candidate =
        struct.kind === "exception"
          ? exceptionPropertyCandidate(name, isStringField(field))
          : fieldPropertyCandidate(name);
      map.set(field, candidate === name ? name : scope.claim(candidate));
    }
    properties = map;
    structCache.set(struct, properties);
  }
  return properties;
}

/** The property name of a service method on clients and handlers (`MethodDescriptor.jsName`). */
export function methodProperty(method: FunctionDef): string {
  return methodPropertyCandidate(method.name.name);
}
