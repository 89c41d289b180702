import type { ConstValue, Enum, Field, IdentifierConst } from "../../idl/ast.js";
import type { Program, ProgramFile } from "../../idl/program.js";
import { E_CONST_TYPE, E_GEN_INEXACT_CONST, E_UNKNOWN_CONSTANT, E_UNKNOWN_FIELD } from "../../idl/diagnostic-codes.js";
import type { GeneratorDiagnostics } from "../generate-error.js";
import { numberLiteral, stringLiteral } from "../layout/literals.js";
import { markIfComplex } from "../layout/needs-prettier.js";
import { flatText } from "../layout/doc.js";
import { arrayValue, atomValue, callValue, objectValue, type ValueDoc } from "../layout/value-docs.js";
import { propertyAccess, propertyKey } from "../safe-identifier.js";
import { fieldProperties } from "./field-properties.js";
import { FileNames } from "./file-names.js";
import type { ImportCollector } from "./import-collector.js";
import type { ResolvedType, TypeResolver } from "./resolved-type.js";
import { tsType } from "./type-expressions.js";

const maxConstDepth = 64;

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

  /**
   * `value`, written in `file`, as a one-line expression of type `type`, for
   * positions whose layout the generator leaves to prettier when the value is
   * more than a literal or a name (see needs-prettier.ts).
   */
  expression(value: ConstValue, type: ResolvedType, file: ProgramFile): string {
    return markIfComplex(flatText(this.build(value, type, file, 0).doc));
  }

  /** `value` as an expression of type `type`, as a layout document. */
  valueDoc(value: ConstValue, type: ResolvedType, file: ProgramFile): ValueDoc {
    return this.build(value, type, file, 0);
  }

  private build(value: ConstValue, type: ResolvedType, file: ProgramFile, depth: number): ValueDoc {
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

  private scalar(value: ConstValue, name: string): ValueDoc {
    switch (name) {
      case "bool":
        if (value.kind === "bool") return atomValue(String(value.value));
        if (value.kind === "int") return atomValue(String(value.value !== 0n));
        break;
      case "i8":
      case "i16":
      case "i32":
        if (value.kind === "int") return atomValue(numberLiteral(Number(value.value)));
        break;
      case "double":
        if (value.kind === "int" || value.kind === "double") return atomValue(numberLiteral(Number(value.value)));
        break;
      case "string":
        if (value.kind === "string") return atomValue(stringLiteral(value.value));
        break;
      case "uuid":
        if (value.kind === "string") return atomValue(stringLiteral(value.value.replace(/^\{(.*)\}$/, "$1").toLowerCase()));
        break;
      case "binary":
        if (value.kind === "string") {
          const bytes = [...new TextEncoder().encode(value.value)].map((byte) => atomValue(String(byte)));
          return callValue("new Uint8Array", [], [arrayValue(bytes)]);
        }
        break;
    }
    return this.mismatch(value, name);
  }

  private i64(value: ConstValue, repr: string): ValueDoc {
    if (value.kind !== "int") return this.mismatch(value, "i64");
    switch (repr) {
      case "bigint":
        return atomValue(`${value.value}n`);
      case "string":
        return atomValue(stringLiteral(value.value.toString()));
      default:
        if (value.value > BigInt(Number.MAX_SAFE_INTEGER) || value.value < BigInt(Number.MIN_SAFE_INTEGER)) {
          this.diagnostics.error(
            E_GEN_INEXACT_CONST,
            `${value.text} cannot be represented exactly as a JavaScript number (i64 as "number"); use ts.type = "bigint" or "string"`,
            value.range,
          );
        }
        return atomValue(numberLiteral(Number(value.value)));
    }
  }

  private collection(value: ConstValue, type: ResolvedType & { kind: "list" | "set" }, file: ProgramFile, depth: number): ValueDoc {
    let elements: ValueDoc[];
    if (value.kind === "list") elements = value.elements.map((e) => this.build(e, type.element, file, depth + 1));
    else if (value.kind === "map" && value.entries.length === 0) elements = [];
    else return this.mismatch(value, type.kind);
    if (type.kind === "list") return arrayValue(elements);
    const elementType = tsType(type.element, this.imports);
    return callValue("new Set", [elementType], elements.length === 0 ? [] : [arrayValue(elements)]);
  }

  private map(value: ConstValue, type: ResolvedType & { kind: "map" }, file: ProgramFile, depth: number): ValueDoc {
    const typeArgs = [tsType(type.key, this.imports), tsType(type.value, this.imports)];
    if (value.kind === "list" && value.elements.length === 0) return callValue("new Map", typeArgs, []);
    if (value.kind !== "map") return this.mismatch(value, "map");
    if (value.entries.length === 0) return callValue("new Map", typeArgs, []);
    const entries = value.entries.map((entry) =>
      arrayValue([this.build(entry.key, type.key, file, depth + 1), this.build(entry.value, type.value, file, depth + 1)]),
    );
    return callValue("new Map", typeArgs, [arrayValue(entries)]);
  }

  private enumValue(value: ConstValue, definition: Enum, enumFile: ProgramFile, memberName?: string): ValueDoc {
    const enumRef = this.imports.qualify(enumFile, FileNames.of(enumFile).type(definition.name.name).type);
    const byName = memberName === undefined ? undefined : definition.values.find((v) => v.name.name === memberName);
    const numeric = value.kind === "int" ? Number(value.value) : undefined;
    const member = byName ?? definition.values.find((v) => v.value === numeric);
    if (member !== undefined) return atomValue(propertyAccess(enumRef, member.name.name));
    if (numeric !== undefined) return atomValue(`(${numberLiteral(numeric)} as number as ${enumRef})`);
    return this.mismatch(value, definition.name.name);
  }

  private struct(value: ConstValue, type: ResolvedType & { kind: "struct" }, file: ProgramFile, depth: number): ValueDoc {
    if (value.kind !== "map") return this.mismatch(value, type.definition.name.name);
    const struct = type.definition;
    const properties = fieldProperties(struct, (f) => this.isString(type.file, f));
    const members: [string, ValueDoc][] = [];
    for (const entry of value.entries) {
      const key = entry.key.kind === "string" ? entry.key.value : undefined;
      const field = struct.fields.find((f) => f.name.name === key);
      if (field === undefined) {
        this.diagnostics.error(E_UNKNOWN_FIELD, `${struct.name.name} has no field ${JSON.stringify(key ?? "")}`, entry.key.range);
        continue;
      }
      const fieldType = this.resolver.resolve(type.file, field.type, this.resolver.reprAnnotation(field.annotations));
      members.push([propertyKey(properties.get(field)!), this.build(entry.value, fieldType, file, depth + 1)]);
    }
    const names = FileNames.of(type.file).type(struct.name.name);
    const object = objectValue(members);
    switch (struct.kind) {
      case "struct":
        return callValue(this.imports.qualify(type.file, names.create), [], [object]);
      case "exception":
        return callValue(`new ${this.imports.qualify(type.file, names.type)}`, [], [object]);
      case "union":
        return object;
    }
  }

  private reference(value: IdentifierConst, type: ResolvedType, file: ProgramFile, depth: number): ValueDoc {
    const resolved = this.program.resolveConstant(file, value.name);
    if (resolved !== undefined && depth < maxConstDepth) {
      if (resolved.kind === "const") return this.build(resolved.definition.value, type, resolved.file, depth + 1);
      const asInt = { kind: "int", value: BigInt(resolved.value.value), text: String(resolved.value.value), range: value.range } as const;
      if (type.kind === "enum") return this.enumValue(asInt, type.definition, type.file, resolved.value.name.name);
      return this.build(asInt, type, file, depth + 1);
    }
    // Thrift resolves `Other.NAME` against the target enum when `Other` does not define it.
    if (type.kind === "enum") {
      const memberName = value.name.slice(value.name.lastIndexOf(".") + 1);
      if (type.definition.values.some((v) => v.name.name === memberName)) {
        return this.enumValue(value, type.definition, type.file, memberName);
      }
    }
    this.diagnostics.error(E_UNKNOWN_CONSTANT, `unknown constant "${value.name}"`, value.range);
    return atomValue("undefined as never");
  }

  private mismatch(value: ConstValue, expected: string): ValueDoc {
    this.diagnostics.error(E_CONST_TYPE, `a ${value.kind} value cannot be used as ${expected}`, value.range);
    return atomValue("undefined as never");
  }
}
