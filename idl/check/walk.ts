import type { Field, ThriftDocument, TypeRef } from "../ast.js";

/** One list of fields, with what owns it (for messages and per-kind rules). */
export interface FieldList {
  readonly kind: "struct" | "union" | "exception" | "params" | "throws";
  /** `struct Foo`, `parameters of Calc.add`, `throws of Calc.add`. */
  readonly owner: string;
  readonly fields: readonly Field[];
}

/** Every field list of a file: struct-like members, method parameters and throws lists. */
export function fieldListsOf(document: ThriftDocument): FieldList[] {
  const lists: FieldList[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === "struct" || definition.kind === "union" || definition.kind === "exception") {
      lists.push({
        kind: definition.kind,
        owner: `${definition.kind} ${definition.name.name}`,
        fields: definition.fields,
      });
    } else if (definition.kind === "service") {
      for (const fn of definition.functions) {
        const method = `${definition.name.name}.${fn.name.name}`;
        lists.push({ kind: "params", owner: `parameters of ${method}`, fields: fn.params });
        lists.push({ kind: "throws", owner: `throws of ${method}`, fields: fn.throws });
      }
    }
  }
  return lists;
}

/** Calls `visit` on every type written in the file, including the element types inside containers. */
export function forEachTypeRef(document: ThriftDocument, visit: (type: TypeRef) => void): void {
  const walk = (type: TypeRef): void => {
    visit(type);
    if (type.kind === "list" || type.kind === "set") walk(type.element);
    else if (type.kind === "map") {
      walk(type.key);
      walk(type.value);
    }
  };
  for (const definition of document.definitions) {
    if (definition.kind === "typedef" || definition.kind === "const") walk(definition.type);
  }
  for (const list of fieldListsOf(document)) {
    for (const field of list.fields) walk(field.type);
  }
  for (const definition of document.definitions) {
    if (definition.kind !== "service") continue;
    for (const fn of definition.functions) {
      if (fn.returnType.kind !== "void") walk(fn.returnType);
    }
  }
}
