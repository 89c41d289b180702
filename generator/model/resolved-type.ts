import type { Annotation, Enum, Struct, TypeRef, Typedef } from "../../idl/ast.js";
import type { Program, ProgramFile } from "../../idl/program.js";
import type { I64Representation, ScalarKind } from "@rpcgen/runtime/internal/descriptor.js";
import { badValueMessage, readTsType, tsTypeAnnotations } from "../../idl/check/annotation-values.js";
import { E_GEN_TS_TYPE, E_UNKNOWN_TYPE } from "../../idl/diagnostic-codes.js";
import type { GeneratorDiagnostics } from "../generate-error.js";

/** Where a type was reached through a typedef whose own meaning it keeps, so TS can print the alias. */
export interface TypedefAlias {
  readonly file: ProgramFile;
  readonly typedef: Typedef;
}

/**
 * A type with typedefs looked through and every i64 given its JS representation.
 * `alias` remembers the typedef it was written as, when printing that name keeps
 * the same meaning (it does not when a field-level `ts.type` changes an i64 inside).
 */
export type ResolvedType = (
  | { readonly kind: "scalar"; readonly name: ScalarKind }
  | { readonly kind: "i64"; readonly repr: I64Representation }
  | { readonly kind: "list" | "set"; readonly element: ResolvedType }
  | { readonly kind: "map"; readonly key: ResolvedType; readonly value: ResolvedType }
  | { readonly kind: "enum"; readonly file: ProgramFile; readonly definition: Enum }
  | { readonly kind: "struct"; readonly file: ProgramFile; readonly definition: Struct }
) & { readonly alias?: TypedefAlias };

const maxTypedefDepth = 64;

/**
 * Resolves written types for one generation run. `defaultRepr` is the `i64`
 * option; `ts.type` annotations on a field, a type or a typedef override it for
 * the i64s inside, the innermost annotation winning.
 */
export class TypeResolver {
  constructor(
    private readonly program: Program,
    readonly defaultRepr: I64Representation,
    private readonly diagnostics: GeneratorDiagnostics,
  ) {}

  /** The `ts.type` annotation among `annotations`, if any; a bad value is reported. */
  reprAnnotation(annotations: readonly Annotation[]): I64Representation | undefined {
    let found: I64Representation | undefined;
    for (const annotation of tsTypeAnnotations(annotations)) {
      const reading = readTsType(annotation);
      if (reading.ok) found = reading.value;
      // The checker reported this already; a program loaded without checking gets it here.
      else this.diagnostics.error(E_GEN_TS_TYPE, badValueMessage(annotation, reading.expected), annotation.range);
    }
    return found;
  }

  /** Resolutions by written type and inherited representation: the models of a file ask for each many times. */
  private readonly cache = new WeakMap<TypeRef, Map<I64Representation, ResolvedType>>();

  /** Resolves `ref` as written in `file`; `repr` is the i64 representation inherited from the field. */
  resolve(file: ProgramFile, ref: TypeRef, repr: I64Representation = this.defaultRepr, depth = 0): ResolvedType {
    let byRepr = this.cache.get(ref);
    if (byRepr === undefined) {
      byRepr = new Map();
      this.cache.set(ref, byRepr);
    }
    let resolved = byRepr.get(repr);
    if (resolved === undefined) {
      resolved = this.resolveUncached(file, ref, repr, depth);
      byRepr.set(repr, resolved);
    }
    return resolved;
  }

  private resolveUncached(file: ProgramFile, ref: TypeRef, repr: I64Representation, depth: number): ResolvedType {
    const own = this.reprAnnotation(ref.annotations) ?? repr;
    switch (ref.kind) {
      case "base":
        if (ref.name === "i64") return { kind: "i64", repr: own };
        return { kind: "scalar", name: ref.name === "byte" ? "i8" : ref.name };
      case "list":
      case "set":
        return { kind: ref.kind, element: this.resolve(file, ref.element, own, depth) };
      case "map":
        return { kind: "map", key: this.resolve(file, ref.key, own, depth), value: this.resolve(file, ref.value, own, depth) };
      case "named":
        return this.resolveNamed(file, ref, own, depth);
    }
  }

  private resolveNamed(file: ProgramFile, ref: TypeRef & { kind: "named" }, repr: I64Representation, depth: number): ResolvedType {
    const resolved = this.program.resolveType(file, ref.name);
    if (resolved === undefined || depth > maxTypedefDepth) {
      this.diagnostics.error(E_UNKNOWN_TYPE, `unknown type "${ref.name}"`, ref.range);
      return { kind: "scalar", name: "string" };
    }
    const definition = resolved.definition;
    if (definition.kind === "enum") return { kind: "enum", file: resolved.file, definition };
    if (definition.kind !== "typedef") return { kind: "struct", file: resolved.file, definition };
    const typedefRepr = this.reprAnnotation(definition.annotations);
    const natural = this.resolve(resolved.file, definition.type, typedefRepr ?? this.defaultRepr, depth + 1);
    const actual =
      typedefRepr !== undefined || repr === this.defaultRepr
        ? natural
        : this.resolve(resolved.file, definition.type, repr, depth + 1);
    if (typeKey(natural) !== typeKey(actual)) return actual;
    return { ...actual, alias: { file: resolved.file, typedef: definition } };
  }
}

/** A canonical text for a resolved type: equal keys mean the same JS values and wire bytes. */
export function typeKey(type: ResolvedType): string {
  switch (type.kind) {
    case "scalar":
      return type.name;
    case "i64":
      return `i64:${type.repr}`;
    case "list":
    case "set":
      return `${type.kind}<${typeKey(type.element)}>`;
    case "map":
      return `map<${typeKey(type.key)},${typeKey(type.value)}>`;
    case "enum":
    case "struct":
      return `${type.kind}:${type.file.path}#${type.definition.name.name}`;
  }
}
