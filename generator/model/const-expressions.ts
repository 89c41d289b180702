import type { ConstValue, Enum, Field, IdentifierConst } from "../../idl/ast.js";
import type { Program, ProgramFile } from "../../idl/program.js";
import { GeneratorCodes, type GeneratorDiagnostics } from "../generate-error.js";
import { propertyAccess, propertyKey } from "../safe-identifier.js";
import { fieldProperties } from "./field-properties.js";
import { FileNames } from "./file-names.js";
import type { ImportCollector } from "./import-collector.js";
import type { ResolvedType, TypeResolver } from "./resolved-type.js";
import { tsType } from "./type-expressions.js";

const maxConstDepth = 64;

/** A JavaScript number literal that reads back as exactly `value` (including -0). */
export function numberLiteral(value: number): string {
  return Object.is(value, -0) ? "-0" : String(value);
}

/**
 * Turns IDL constant values into TypeScript expressions of the exact declared
 * type. References to other constants are inlined (evaluated for the target
 * type), so an i64 stays exact whatever representation each side uses and the
 * order of declarations never matters; enum values are referenced by name.
 */
export class ConstExpressions {
  constructor(
    private readonly program: Program,
    private readonly resolver: TypeResolver,
    private readonly imports: ImportCollector,
    private readonly diagnostics: GeneratorDiagnostics,
  ) {}

  /** `value`, written in `file`, as an expression of type `type`. */
  expression(value: ConstValue, type: ResolvedType, file: ProgramFile, depth = 0): string {
    if (value.kind === "identifier") return this.reference(value, type, file, depth);
    switch (type.kind) {
      case "scalar":
        return this.scalar(value, type.name);
      case "i64":
        return this.i64(value, type.repr);
      case "list":
      case "set":
        return this.collection(value, type, file, depth);
      case "map":
        return this.map(value, type, file, depth);
      case "enum":
        return this.enumValue(value, type.definition, type.file);
      case "struct":
        return this.struct(value, type, file, depth);
    }
  }

  /** Whether `field`'s type (as written in `file`) is string, for exception `message` fields. */
  isString(file: ProgramFile, field: Field): boolean {
    const t = this.resolver.resolve(file, field.type);
    return t.kind === "scalar" && t.name === "string";
  }

  private scalar(value: ConstValue, name: string): string {
    switch (name) {
      case "bool":
        if (value.kind === "bool") return String(value.value);
        if (value.kind === "int") return String(value.value !== 0n);
        break;
      case "i8":
      case "i16":
      case "i32":
        if (value.kind === "int") return numberLiteral(Number(value.value));
        break;
      case "double":
        if (value.kind === "int" || value.kind === "double") return numberLiteral(Number(value.value));
        break;
      case "string":
        if (value.kind === "string") return JSON.stringify(value.value);
        break;
      case "uuid":
        if (value.kind === "string") return JSON.stringify(value.value.replace(/^\{(.*)\}$/, "$1").toLowerCase());
        break;
      case "binary":
        if (value.kind === "string") return `new Uint8Array([${[...new TextEncoder().encode(value.value)].join(", ")}])`;
        break;
    }
    return this.mismatch(value, name);
  }

  private i64(value: ConstValue, repr: string): string {
    if (value.kind !== "int") return this.mismatch(value, "i64");
    switch (repr) {
      case "bigint":
        return `${value.value}n`;
      case "string":
        return JSON.stringify(value.value.toString());
      default:
        if (value.value > BigInt(Number.MAX_SAFE_INTEGER) || value.value < BigInt(Number.MIN_SAFE_INTEGER)) {
          this.diagnostics.error(
            GeneratorCodes.inexactConstant,
            `${value.text} cannot be represented exactly as a JavaScript number (i64 as "number"); use ts.type = "bigint" or "string"`,
            value.range,
          );
        }
        return numberLiteral(Number(value.value));
    }
  }

  private collection(value: ConstValue, type: ResolvedType & { kind: "list" | "set" }, file: ProgramFile, depth: number): string {
    let elements: string[];
    if (value.kind === "list") elements = value.elements.map((e) => this.expression(e, type.element, file, depth + 1));
    else if (value.kind === "map" && value.entries.length === 0) elements = [];
    else return this.mismatch(value, type.kind);
    if (type.kind === "list") return `[${elements.join(", ")}]`;
    const elementType = tsType(type.element, this.imports);
    return elements.length === 0 ? `new Set<${elementType}>()` : `new Set<${elementType}>([${elements.join(", ")}])`;
  }

  private map(value: ConstValue, type: ResolvedType & { kind: "map" }, file: ProgramFile, depth: number): string {
    const typeArgs = `<${tsType(type.key, this.imports)}, ${tsType(type.value, this.imports)}>`;
    if (value.kind === "list" && value.elements.length === 0) return `new Map${typeArgs}()`;
    if (value.kind !== "map") return this.mismatch(value, "map");
    if (value.entries.length === 0) return `new Map${typeArgs}()`;
    const entries = value.entries.map(
      (entry) =>
        `[${this.expression(entry.key, type.key, file, depth + 1)}, ${this.expression(entry.value, type.value, file, depth + 1)}]`,
    );
    return `new Map${typeArgs}([${entries.join(", ")}])`;
  }

  private enumValue(value: ConstValue, definition: Enum, enumFile: ProgramFile, memberName?: string): string {
    const enumRef = this.imports.qualify(enumFile, FileNames.of(enumFile).type(definition.name.name).type);
    const byName = memberName === undefined ? undefined : definition.values.find((v) => v.name.name === memberName);
    const numeric = value.kind === "int" ? Number(value.value) : undefined;
    const member = byName ?? definition.values.find((v) => v.value === numeric);
    if (member !== undefined) return propertyAccess(enumRef, member.name.name);
    if (numeric !== undefined) return `(${numberLiteral(numeric)} as number as ${enumRef})`;
    return this.mismatch(value, definition.name.name);
  }

  private struct(value: ConstValue, type: ResolvedType & { kind: "struct" }, file: ProgramFile, depth: number): string {
    if (value.kind !== "map") return this.mismatch(value, type.definition.name.name);
    const struct = type.definition;
    const properties = fieldProperties(struct, (f) => this.isString(type.file, f));
    const members: string[] = [];
    for (const entry of value.entries) {
      const key = entry.key.kind === "string" ? entry.key.value : undefined;
      const field = struct.fields.find((f) => f.name.name === key);
      if (field === undefined) {
        this.diagnostics.error(GeneratorCodes.badConstant, `${struct.name.name} has no field ${JSON.stringify(key ?? "")}`, entry.key.range);
        continue;
      }
      const fieldType = this.resolver.resolve(type.file, field.type, this.resolver.reprAnnotation(field.annotations));
      members.push(`${propertyKey(properties.get(field)!)}: ${this.expression(entry.value, fieldType, file, depth + 1)}`);
    }
    const names = FileNames.of(type.file).type(struct.name.name);
    const object = `{ ${members.join(", ")} }`;
    switch (struct.kind) {
      case "struct":
        return `${this.imports.qualify(type.file, names.create)}(${object})`;
      case "exception":
        return `new ${this.imports.qualify(type.file, names.type)}(${object})`;
      case "union":
        return object;
    }
  }

  private reference(value: IdentifierConst, type: ResolvedType, file: ProgramFile, depth: number): string {
    const resolved = this.program.resolveConstant(file, value.name);
    if (resolved !== undefined && depth < maxConstDepth) {
      if (resolved.kind === "const") return this.expression(resolved.definition.value, type, resolved.file, depth + 1);
      const asInt = { kind: "int", value: BigInt(resolved.value.value), text: String(resolved.value.value), range: value.range } as const;
      if (type.kind === "enum") return this.enumValue(asInt, type.definition, type.file, resolved.value.name.name);
      return this.expression(asInt, type, file, depth + 1);
    }
    // Thrift resolves `Other.NAME` against the target enum when `Other` does not define it.
    if (type.kind === "enum") {
      const memberName = value.name.slice(value.name.lastIndexOf(".") + 1);
      if (type.definition.values.some((v) => v.name.name === memberName)) {
        return this.enumValue(value, type.definition, type.file, memberName);
      }
    }
    this.diagnostics.error(GeneratorCodes.unresolved, `unknown constant ${value.name}`, value.range);
    return "undefined as never";
  }

  private mismatch(value: ConstValue, expected: string): string {
    this.diagnostics.error(GeneratorCodes.badConstant, `a ${value.kind} value cannot be used as ${expected}`, value.range);
    return "undefined as never";
  }
}
