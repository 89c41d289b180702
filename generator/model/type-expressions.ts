import type { Doc } from "../layout/doc.js";
import { objectDoc } from "../layout/code-docs.js";
import { FileNames } from "./file-names.js";
import type { ImportCollector } from "./import-collector.js";
import type { ResolvedType } from "./resolved-type.js";

const scalarTsTypes = {
  bool: "boolean",
  i8: "number",
  i16: "number",
  i32: "number",
  double: "number",
  string: "string",
  uuid: "string",
  binary: "Uint8Array",
} as const;

/** The TypeScript type of values of `type`, as written in the file `imports` belongs to. */
export function tsType(type: ResolvedType, imports: ImportCollector): string {
  if (type.alias !== undefined) {
    return imports.qualify(type.alias.file, FileNames.of(type.alias.file).type(type.alias.typedef.name.name).type);
  }
  switch (type.kind) {
    case "scalar":
      return scalarTsTypes[type.name];
    case "i64":
      return type.repr;
    case "list":
      return `${tsType(type.element, imports)}[]`;
    case "set":
      return `Set<${tsType(type.element, imports)}>`;
    case "map":
      return `Map<${tsType(type.key, imports)}, ${tsType(type.value, imports)}>`;
    case "enum":
    case "struct":
      return imports.qualify(type.file, FileNames.of(type.file).type(type.definition.name.name).type);
  }
}

/**
 * A TypeDescriptor literal for `type`. Struct references are thunks so that
 * recursive types work and module evaluation order never matters; enum
 * descriptors are declared before any struct in the same file.
 */
export function descriptorDoc(type: ResolvedType, imports: ImportCollector): Doc {
  switch (type.kind) {
    case "scalar":
      return objectDoc([["kind", `"${type.name}"`]]);
    case "i64":
      return objectDoc([
        ["kind", `"i64"`],
        ["repr", `"${type.repr}"`],
      ]);
    case "list":
    case "set":
      return objectDoc([
        ["kind", `"${type.kind}"`],
        ["element", descriptorDoc(type.element, imports)],
      ]);
    case "map":
      return objectDoc([
        ["kind", `"map"`],
        ["key", descriptorDoc(type.key, imports)],
        ["value", descriptorDoc(type.value, imports)],
      ]);
    case "enum":
      return objectDoc([
        ["kind", `"enum"`],
        ["enum", imports.qualify(type.file, FileNames.of(type.file).type(type.definition.name.name).descriptor)],
      ]);
    case "struct":
      return objectDoc([
        ["kind", `"struct"`],
        ["struct", `() => ${imports.qualify(type.file, FileNames.of(type.file).type(type.definition.name.name).descriptor)}`],
      ]);
  }
}
