import type { TypeDescriptor } from "../descriptor.js";

/** An IDL-like spelling of a type for messages and `COMMAND DOCS`: `i32`, `list<Point>`, `map<string,i64>`. */
export function typeName(type: TypeDescriptor): string {
  switch (type.kind) {
    case "list":
    case "set":
      return `${type.kind}<${typeName(type.element)}>`;
    case "map":
      return `map<${typeName(type.key)},${typeName(type.value)}>`;
    case "enum":
      return shortName(type.enum.name);
    case "struct":
      return shortName(type.struct().name);
    default:
      return type.kind;
  }
}

/** `calc.DivideByZero` → `DivideByZero`: the name people wrote in the IDL. */
export function shortName(qualified: string): string {
  const dot = qualified.lastIndexOf(".");
  return dot === -1 ? qualified : qualified.slice(dot + 1);
}
