import path from "node:path";
import type { BaseTypeName, Enum, NamedType, Struct, Typedef, TypeRef } from "../ast.js";
import type { Program, ProgramFile } from "../program.js";
import { type I64Repr, tsTypeOf } from "./annotation-values.js";
import { E_NOT_A_TYPE, E_TYPEDEF_CYCLE, E_UNKNOWN_SCOPE, E_UNKNOWN_TYPE } from "../diagnostic-codes.js";
import type { DiagnosticSink } from "./diagnostic-sink.js";
import { type CheckedProgram, splitScope } from "./program-model.js";
import { didYouMean } from "../suggest-name.js";
import { forEachTypeRef } from "./walk.js";

/**
 * A type with typedefs looked through. Containers keep the file their
 * element types were written in, because names inside them resolve there.
 * `repr` is how generated code represents the i64s inside (`ts.type`).
 */
export type TrueType =
  | { readonly kind: "base"; readonly name: BaseTypeName; readonly repr: I64Repr }
  | { readonly kind: "list" | "set"; readonly element: TypeRef; readonly file: ProgramFile; readonly repr: I64Repr }
  | {
      readonly kind: "map";
      readonly key: TypeRef;
      readonly value: TypeRef;
      readonly file: ProgramFile;
      readonly repr: I64Repr;
    }
  | { readonly kind: "enum"; readonly file: ProgramFile; readonly definition: Enum }
  | { readonly kind: "struct"; readonly file: ProgramFile; readonly definition: Struct }
  /** The name did not resolve (already reported by checkTypeReferences) or a typedef cycle. */
  | { readonly kind: "unresolved" };

const UNRESOLVED: TrueType = { kind: "unresolved" };

/** The names of Thrift's own types, for suggestions: `strng` is more likely `string` than anything declared. */
const BUILT_IN_TYPE_NAMES: readonly string[] = [
  "bool", "byte", "i8", "i16", "i32", "i64", "double", "string", "binary", "uuid", "list", "set", "map",
];

/**
 * Resolves a type as written in `file`, through any chain of typedefs. Never
 * loops. `repr` is the i64 representation the type inherits (from its field,
 * constant or the `--i64` option); a type's own `ts.type` overrides it, and a
 * typedef's own `ts.type` overrides that, as in generated code.
 */
export function resolveTrueType(program: Program, file: ProgramFile, type: TypeRef, repr: I64Repr = "bigint"): TrueType {
  const seen = new Set<Typedef>();
  let currentFile = file;
  let current: TypeRef = type;
  let currentRepr = repr;
  for (;;) {
    currentRepr = tsTypeOf(current.annotations) ?? currentRepr;
    switch (current.kind) {
      case "base":
        return { kind: "base", name: current.name, repr: currentRepr };
      case "list":
      case "set":
        return { kind: current.kind, element: current.element, file: currentFile, repr: currentRepr };
      case "map":
        return { kind: "map", key: current.key, value: current.value, file: currentFile, repr: currentRepr };
      case "named": {
        const resolved = program.resolveType(currentFile, current.name);
        if (resolved === undefined) return UNRESOLVED;
        const definition = resolved.definition;
        if (definition.kind === "enum") return { kind: "enum", file: resolved.file, definition };
        if (definition.kind !== "typedef") return { kind: "struct", file: resolved.file, definition };
        if (seen.has(definition)) return UNRESOLVED;
        seen.add(definition);
        currentFile = resolved.file;
        currentRepr = tsTypeOf(definition.annotations) ?? currentRepr;
        current = definition.type;
      }
    }
  }
}

/** Human-readable type, as written, for messages. */
export function typeText(type: TypeRef): string {
  switch (type.kind) {
    case "base":
    case "named":
      return type.name;
    case "list":
    case "set":
      return `${type.kind}<${typeText(type.element)}>`;
    case "map":
      return `map<${typeText(type.key)}, ${typeText(type.value)}>`;
  }
}

/**
 * Checks that every type name in every file resolves, and that no typedef
 * chain loops back on itself.
 */
export function checkTypeReferences(program: CheckedProgram, sink: DiagnosticSink): void {
  for (const file of program.files.values()) {
    forEachTypeRef(file.document, (type) => {
      if (type.kind === "named" && program.resolveType(file, type.name) === undefined) {
        reportUnresolved(program, file, type, sink);
      }
    });
  }
  checkTypedefCycles(program, sink);
}

function reportUnresolved(program: CheckedProgram, file: ProgramFile, type: NamedType, sink: DiagnosticSink): void {
  const { scope, name } = splitScope(type.name);
  if (scope !== undefined && !file.includes.has(scope)) {
    sink.error(
      E_UNKNOWN_SCOPE,
      `unknown scope "${scope}" in "${type.name}": no included file is named ${scope}.thrift`,
      type.range,
    );
    return;
  }
  if (program.resolveService(file, type.name) !== undefined) {
    sink.error(E_NOT_A_TYPE, `"${type.name}" is a service, not a type`, type.range);
    return;
  }
  const constant = program.resolveConstant(file, type.name);
  if (constant !== undefined) {
    const what = constant.kind === "const" ? "a constant" : "an enum value";
    sink.error(E_NOT_A_TYPE, `"${type.name}" is ${what}, not a type`, type.range);
    return;
  }
  const target = scope === undefined ? undefined : file.includes.get(scope);
  const message =
    target === undefined
      ? `unknown type "${type.name}"`
      : `unknown type "${type.name}": ${path.basename(target.path)} defines no type "${name}"`;
  const candidates = [...BUILT_IN_TYPE_NAMES, ...program.visibleNames(file, "type")];
  sink.error(E_UNKNOWN_TYPE, message + didYouMean(type.name, candidates), type.range);
}

function checkTypedefCycles(program: CheckedProgram, sink: DiagnosticSink): void {
  const reported = new Set<Typedef>();
  for (const file of program.files.values()) {
    for (const definition of program.symbolsOf(file).types.values()) {
      if (definition.kind !== "typedef" || reported.has(definition)) continue;
      const cycle = typedefCycleFrom(program, file, definition);
      if (cycle === undefined) continue;
      for (const member of cycle) reported.add(member);
      const names = [...cycle, definition].map((t) => t.name.name).join(" -> ");
      sink.error(E_TYPEDEF_CYCLE, `typedef cycle: ${names}`, definition.name.range);
    }
  }
}

/** The typedefs of the cycle that starts at `start`, or undefined when its chain ends. */
function typedefCycleFrom(program: CheckedProgram, file: ProgramFile, start: Typedef): Typedef[] | undefined {
  const chain: Typedef[] = [start];
  let currentFile = file;
  let current = start;
  for (;;) {
    if (current.type.kind !== "named") return undefined;
    const next = program.resolveType(currentFile, current.type.name);
    if (next === undefined || next.definition.kind !== "typedef") return undefined;
    if (next.definition === start) return chain;
    // A chain that runs into a cycle not containing `start` is reported from a member of that cycle.
    if (chain.includes(next.definition)) return undefined;
    chain.push(next.definition);
    currentFile = next.file;
    current = next.definition;
  }
}
