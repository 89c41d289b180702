import type { Annotation, BaseTypeName, Const, ConstValue, Enum, IdentifierConst, IntConst, TypeRef } from "../ast.js";
import type { Diagnostic } from "../diagnostic.js";
import type { ProgramFile } from "../program.js";
import {
  E_CONST_CYCLE,
  E_CONST_FIELD_KEY,
  E_CONST_RANGE,
  E_CONST_TYPE,
  E_GEN_INEXACT_CONST,
  E_INVALID_UUID,
  E_UNKNOWN_CONSTANT,
  E_UNKNOWN_ENUM_VALUE,
  E_UNKNOWN_FIELD,
  W_ENUM_VALUE_SCOPE,
} from "../diagnostic-codes.js";
import { type I64Repr, tsTypeOf } from "./annotation-values.js";
import { DiagnosticSink, startOfFile } from "./diagnostic-sink.js";
import type { CheckedProgram } from "./program-model.js";
import { didYouMean } from "../suggest-name.js";
import { resolveTrueType, type TrueType, typeText } from "./type-resolution.js";
import { fieldListsOf } from "./walk.js";

const INTEGER_RANGES: Partial<Record<BaseTypeName, readonly [bigint, bigint]>> = {
  byte: [-(2n ** 7n), 2n ** 7n - 1n],
  i8: [-(2n ** 7n), 2n ** 7n - 1n],
  i16: [-(2n ** 15n), 2n ** 15n - 1n],
  i32: [-(2n ** 31n), 2n ** 31n - 1n],
  i64: [-(2n ** 63n), 2n ** 63n - 1n],
};

/** The integers a JavaScript number holds exactly: an i64 represented as a number must be one. */
const SAFE_INTEGERS: readonly [bigint, bigint] = [BigInt(Number.MIN_SAFE_INTEGER), BigInt(Number.MAX_SAFE_INTEGER)];

/** With or without braces, as Thrift accepts it. */
const UUID_PATTERN =
  /^(?:\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/**
 * Type-checks every constant and every field default against its declared
 * type, through typedefs, element by element. Follows Thrift's leniencies:
 * `0`/`1` (and `true`/`false` for numbers) are interchangeable with bools,
 * integers are valid doubles, `{}` is an empty list or set, and an enum value
 * is matched by its last name segment. An i64 that generated code holds as a
 * JavaScript number (`ts.type = "number"`, or `i64` the `--i64` option) must
 * be exact: `i64` is that option, "bigint" by default.
 */
export function checkConstValues(program: CheckedProgram, sink: DiagnosticSink, i64: I64Repr = "bigint"): void {
  const checker = new ConstChecker(program, sink, i64);
  for (const file of program.files.values()) {
    for (const definition of file.document.definitions) {
      if (definition.kind === "const") checker.checkConst(file, definition);
    }
    for (const list of fieldListsOf(file.document)) {
      for (const field of list.fields) {
        if (field.defaultValue === undefined) continue;
        checker.check(field.defaultValue, field.type, file, file, sink, checker.reprOf(field.annotations));
      }
    }
  }
}

class ConstChecker {
  /** Constants whose values are being checked, outermost first; a repeat is a cycle. */
  private readonly following: Const[] = [];
  private readonly reportedCycles = new Set<string>();
  /** First error (or undefined) of each constant checked against each target, by targetKey. */
  private readonly followed = new Map<Const, Map<string, Diagnostic | undefined>>();

  constructor(
    private readonly program: CheckedProgram,
    private readonly sink: DiagnosticSink,
    private readonly defaultRepr: I64Repr,
  ) {}

  /** The i64 representation that starts at an element with these annotations (a field or a constant). */
  reprOf(annotations: readonly Annotation[]): I64Repr {
    return tsTypeOf(annotations) ?? this.defaultRepr;
  }

  checkConst(file: ProgramFile, definition: Const): void {
    this.following.push(definition);
    this.check(definition.value, definition.type, file, file, this.sink, this.reprOf(definition.annotations));
    this.following.pop();
  }

  /** Checks `value` (written in `valueFile`) against `type` (written in `typeFile`, its i64s held as `repr`). */
  check(
    value: ConstValue,
    type: TypeRef,
    typeFile: ProgramFile,
    valueFile: ProgramFile,
    out: DiagnosticSink,
    repr: I64Repr,
  ): void {
    const target = resolveTrueType(this.program, typeFile, type, repr);
    this.checkAgainst(value, target, typeText(type), valueFile, out);
  }

  private checkAgainst(
    value: ConstValue,
    target: TrueType,
    written: string,
    valueFile: ProgramFile,
    out: DiagnosticSink,
  ): void {
    switch (target.kind) {
      case "unresolved":
        return; // the unknown type is reported by the type pass
      case "enum":
        return this.checkEnum(value, target, valueFile, out);
      case "base":
        if (value.kind === "identifier") return this.checkReference(value, target, written, valueFile, out);
        return checkBase(value, target, describeType(written, target.name), out);
      case "list":
      case "set":
        if (value.kind === "identifier") return this.checkReference(value, target, written, valueFile, out);
        if (value.kind === "list") {
          for (const element of value.elements) {
            this.check(element, target.element, target.file, valueFile, out, target.repr);
          }
        } else if (!(value.kind === "map" && value.entries.length === 0)) {
          mismatch(value, written, out);
        }
        return;
      case "map":
        if (value.kind === "identifier") return this.checkReference(value, target, written, valueFile, out);
        if (value.kind === "map") {
          for (const entry of value.entries) {
            this.check(entry.key, target.key, target.file, valueFile, out, target.repr);
            this.check(entry.value, target.value, target.file, valueFile, out, target.repr);
          }
        } else if (!(value.kind === "list" && value.elements.length === 0)) {
          mismatch(value, written, out);
        }
        return;
      case "struct":
        if (value.kind === "identifier") return this.checkReference(value, target, written, valueFile, out);
        if (value.kind !== "map") return mismatch(value, written, out);
        for (const entry of value.entries) {
          if (entry.key.kind !== "string") {
            out.error(
              E_CONST_FIELD_KEY,
              `keys of a ${target.definition.kind} constant must be field names in quotes, found ${describeValue(entry.key)}`,
              entry.key.range,
            );
            continue;
          }
          const fieldName = entry.key.value;
          const field = target.definition.fields.find((f) => f.name.name === fieldName);
          if (field === undefined) {
            out.error(
              E_UNKNOWN_FIELD,
              `${target.definition.kind} ${target.definition.name.name} has no field "${fieldName}"` +
                didYouMean(
                  fieldName,
                  target.definition.fields.map((f) => f.name.name),
                ),
              entry.key.range,
            );
            continue;
          }
          this.check(entry.value, field.type, target.file, valueFile, out, this.reprOf(field.annotations));
        }
        return;
    }
  }

  private checkEnum(
    value: ConstValue,
    target: Extract<TrueType, { kind: "enum" }>,
    valueFile: ProgramFile,
    out: DiagnosticSink,
  ): void {
    const enumName = target.definition.name.name;
    if (value.kind === "int") {
      if (!target.definition.values.some((v) => BigInt(v.value) === value.value)) {
        out.error(E_UNKNOWN_ENUM_VALUE, `${value.text} is not a value of enum ${enumName}`, value.range);
      }
      return;
    }
    if (value.kind !== "identifier") return mismatch(value, enumName, out);
    const resolved = this.program.resolveConstant(valueFile, value.name);
    if (resolved?.kind === "enumValue" && resolved.definition === target.definition) return;
    if (resolved?.kind === "const")
      return this.follow(resolved.file, resolved.definition, target, enumName, value, out);
    // Thrift looks up only the part after the last dot in the declared enum, whatever the prefix says.
    const dot = value.name.lastIndexOf(".");
    const valueName = value.name.slice(dot + 1);
    if (dot >= 0 && target.definition.values.some((v) => v.name.name === valueName)) {
      const prefix = value.name.slice(0, dot);
      const other = this.enumNamedBy(valueFile, prefix);
      if (other !== undefined && other !== target.definition) {
        out.warning(
          W_ENUM_VALUE_SCOPE,
          `"${value.name}" names enum ${other.name.name}, but the type here is enum ${enumName}: ` +
            `Thrift ignores the "${prefix}." prefix and reads it as ${enumName}.${valueName}`,
          value.range,
        );
      }
      return;
    }
    const suggestion = didYouMean(
      value.name,
      target.definition.values.map((v) => `${enumName}.${v.name.name}`),
    );
    out.error(E_UNKNOWN_ENUM_VALUE, `"${value.name}" is not a value of enum ${enumName}${suggestion}`, value.range);
  }

  /** The enum `name` refers to as a type written in `file` (through typedefs), if it does. */
  private enumNamedBy(file: ProgramFile, name: string): Enum | undefined {
    const range = startOfFile(file.path);
    const type = resolveTrueType(this.program, file, { kind: "named", name, annotations: [], range });
    return type.kind === "enum" ? type.definition : undefined;
  }

  private checkReference(
    value: IdentifierConst,
    target: TrueType,
    written: string,
    valueFile: ProgramFile,
    out: DiagnosticSink,
  ): void {
    const resolved = this.program.resolveConstant(valueFile, value.name);
    if (resolved === undefined) {
      const suggestion = didYouMean(value.name, this.program.visibleNames(valueFile, "constant"));
      out.error(E_UNKNOWN_CONSTANT, `unknown constant "${value.name}"${suggestion}`, value.range);
      return;
    }
    if (resolved.kind === "const") {
      this.follow(resolved.file, resolved.definition, target, written, value, out);
      return;
    }
    // An enum value stands for its integer (Thrift declares enum values as i32 constants).
    const asInt: IntConst = { kind: "int", value: BigInt(resolved.value.value), text: value.name, range: value.range };
    if (target.kind === "base") {
      checkBase(asInt, target, describeType(written, target.name), out);
    } else {
      mismatch(value, written, out);
    }
  }

  /**
   * The first error in checking `definition`'s value against `target`.
   * Memoised: a constant referenced many times (or by constants that are
   * themselves referenced many times) is checked once per target type,
   * which keeps nested references from taking exponential time.
   */
  private firstProblem(
    file: ProgramFile,
    definition: Const,
    target: TrueType,
    written: string,
  ): Diagnostic | undefined {
    const key = targetKey(target, written);
    let results = this.followed.get(definition);
    if (results === undefined) {
      results = new Map();
      this.followed.set(definition, results);
    }
    if (results.has(key)) return results.get(key);
    const probe = new DiagnosticSink();
    this.following.push(definition);
    this.checkAgainst(definition.value, target, written, file, probe);
    this.following.pop();
    const problem = probe.diagnostics.find((d) => d.severity === "error");
    results.set(key, problem);
    return problem;
  }

  /** Checks the value of the referenced constant against the target, reporting at the reference. */
  private follow(
    file: ProgramFile,
    definition: Const,
    target: TrueType,
    written: string,
    reference: IdentifierConst,
    out: DiagnosticSink,
  ): void {
    const start = this.following.indexOf(definition);
    if (start >= 0) {
      const cycle = [...this.following.slice(start), definition].map((c) => c.name.name);
      const key = [...new Set(cycle)].sort().join(",");
      if (!this.reportedCycles.has(key)) {
        this.reportedCycles.add(key);
        this.sink.error(E_CONST_CYCLE, `constant cycle: ${cycle.join(" -> ")}`, reference.range);
      }
      return;
    }
    const problem = this.firstProblem(file, definition, target, written);
    if (problem !== undefined) {
      out.error(
        problem.code,
        `constant ${reference.name} cannot be used as ${written}: ${problem.message}`,
        reference.range,
      );
    }
  }
}

/** A key that is equal for two targets exactly when checking a value against them gives the same result. */
function targetKey(target: TrueType, written: string): string {
  switch (target.kind) {
    case "base":
      return `${target.name}:${target.repr}|${written}`;
    case "list":
    case "set":
      return `${target.kind}<${target.file.path}:${typeText(target.element)}>:${target.repr}|${written}`;
    case "map":
      return `map<${target.file.path}:${typeText(target.key)},${typeText(target.value)}>:${target.repr}|${written}`;
    case "enum":
    case "struct":
      return `${target.kind}:${target.file.path}#${target.definition.name.name}|${written}`;
    case "unresolved":
      return "unresolved";
  }
}

function checkBase(
  value: ConstValue,
  target: Extract<TrueType, { kind: "base" }>,
  described: string,
  out: DiagnosticSink,
): void {
  const name = target.name;
  switch (name) {
    case "bool":
      if (value.kind === "bool") return;
      if (value.kind === "int") {
        if (value.value !== 0n && value.value !== 1n) {
          out.error(E_CONST_RANGE, `${value.text} is not a valid ${described}: use true, false, 0 or 1`, value.range);
        }
        return;
      }
      return mismatch(value, described, out);
    case "byte":
    case "i8":
    case "i16":
    case "i32":
    case "i64": {
      if (value.kind === "bool") return;
      if (value.kind !== "int") return mismatch(value, described, out);
      const [min, max] = INTEGER_RANGES[name]!;
      if (value.value < min || value.value > max) {
        out.error(E_CONST_RANGE, `${value.text} is out of range for ${described} (${min}..${max})`, value.range);
      } else if (name === "i64" && target.repr === "number" && !fitsSafely(value.value)) {
        out.error(
          E_GEN_INEXACT_CONST,
          `${value.text} cannot be represented exactly as a JavaScript number (i64 as "number"); use ts.type = "bigint" or "string"`,
          value.range,
        );
      }
      return;
    }
    case "double":
      if (value.kind === "int" || value.kind === "double" || value.kind === "bool") return;
      return mismatch(value, described, out);
    case "string":
    case "binary":
      if (value.kind !== "string") mismatch(value, described, out);
      return;
    case "uuid":
      if (value.kind !== "string") return mismatch(value, described, out);
      if (!UUID_PATTERN.test(value.value)) {
        out.error(
          E_INVALID_UUID,
          `"${value.value}" is not a valid uuid (expected xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx, hexadecimal, braces optional)`,
          value.range,
        );
      }
      return;
  }
}

function fitsSafely(value: bigint): boolean {
  return value >= SAFE_INTEGERS[0] && value <= SAFE_INTEGERS[1];
}

function mismatch(value: ConstValue, expected: string, out: DiagnosticSink): void {
  out.error(E_CONST_TYPE, `expected a value of type ${expected}, found ${describeValue(value)}`, value.range);
}

function describeType(written: string, base: BaseTypeName): string {
  return written === base ? base : `${written} (${base})`;
}

function describeValue(value: ConstValue): string {
  switch (value.kind) {
    case "int":
      return `the integer ${value.text}`;
    case "double":
      return `the double ${value.text}`;
    case "string":
      return `the string ${JSON.stringify(value.value)}`;
    case "bool":
      return `the bool ${value.value}`;
    case "identifier":
      return `"${value.name}"`;
    case "list":
      return "a list";
    case "map":
      return "a map";
  }
}
