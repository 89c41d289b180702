/**
 * Descriptor-driven validation of JavaScript values against IDL types. The
 * generated `validateX` functions are thin typed wrappers around it, and a
 * server can check decoded arguments with `validateArgs`. Every problem is
 * reported with the full path to the value (`work.items[3].name`), so a caller
 * sees exactly which field of which element is wrong.
 */
import type { MethodDescriptor, StructDescriptor, TypeDescriptor } from "./descriptor.js";
import { Code, RpcError } from "./errors.js";

/** One problem: where (`work.items[3].name`) and what (`expected string, got number`). */
export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

/** Thrown by the assert functions: INVALID_ARGUMENT with every issue found (up to a limit). */
export class ValidationError extends RpcError {
  constructor(readonly issues: readonly ValidationIssue[]) {
    super(Code.INVALID_ARGUMENT, issues.map((i) => `${i.path}: ${i.message}`).join("; "));
  }

  override get name(): string {
    return "ValidationError";
  }
}

/** Validation stops collecting after this many issues: one bad element of a huge list is enough to report. */
const maxIssues = 20;

const intRanges = {
  i8: [-128, 127],
  i16: [-32768, 32767],
  i32: [-2147483648, 2147483647],
} as const;

const minI64 = -(1n << 63n);
const maxI64 = (1n << 63n) - 1n;
const uuidPattern = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** Checks `value` against `type`; returns every issue found (empty when valid). */
export function validateValue(type: TypeDescriptor, value: unknown, path: string): ValidationIssue[] {
  const walk = new Walk();
  walk.value(type, value, path);
  return walk.issues;
}

/** Checks a struct, union or exception value; returns every issue found (empty when valid). */
export function validateStruct(descriptor: StructDescriptor, value: unknown, path: string): ValidationIssue[] {
  const walk = new Walk();
  walk.struct(descriptor, value, path);
  return walk.issues;
}

/** Throws a ValidationError unless `value` is a valid instance of `descriptor`. */
export function assertValidStruct(descriptor: StructDescriptor, value: unknown, path: string): void {
  const issues = validateStruct(descriptor, value, path);
  if (issues.length > 0) throw new ValidationError(issues);
}

/**
 * Checks call arguments (in IDL order) against a method's args descriptor; the
 * path of each issue starts with the argument's IDL name.
 */
export function validateArgs(method: MethodDescriptor, args: readonly unknown[]): ValidationIssue[] {
  const walk = new Walk();
  method.args.fields.forEach((field, index) => walk.field(field, args[index], field.name));
  return walk.issues;
}

class Walk {
  readonly issues: ValidationIssue[] = [];
  /** Objects on the current path, to report a cycle instead of recursing forever. */
  private readonly active = new Set<object>();

  private report(path: string, message: string): void {
    if (this.issues.length < maxIssues) this.issues.push({ path, message });
  }

  private get full(): boolean {
    return this.issues.length >= maxIssues;
  }

  field(field: StructDescriptor["fields"][number], value: unknown, path: string): void {
    if (value === undefined) {
      if (field.requiredness === "required") this.report(path, "required field is missing");
      return;
    }
    this.value(field.type, value, path);
  }

  struct(descriptor: StructDescriptor, value: unknown, path: string): void {
    if (typeof value !== "object" || value === null || Array.isArray(value) || value instanceof Map || value instanceof Set) {
      this.report(path, `expected ${descriptor.kind} ${descriptor.name}, got ${describe(value)}`);
      return;
    }
    if (this.active.has(value)) {
      this.report(path, "cyclic reference: the value contains itself");
      return;
    }
    this.active.add(value);
    // Own properties only: a field named like an inherited member (`valueOf`, `constructor`) is absent
    // unless set, and an exception's unset `message` is not Error.prototype's empty string.
    const record = value as Record<string, unknown>;
    const read = (jsName: string): unknown => (Object.hasOwn(record, jsName) ? record[jsName] : undefined);
    if (descriptor.kind === "union") {
      const set = descriptor.fields.filter((f) => read(f.jsName) !== undefined);
      if (set.length !== 1) {
        const which = set.length === 0 ? "none is" : `${set.length} are (${set.map((f) => f.name).join(", ")})`;
        this.report(path, `expected exactly one field of union ${descriptor.name} to be set, but ${which}`);
      }
      for (const f of set) this.value(f.type, read(f.jsName), `${path}.${f.name}`);
    } else {
      for (const f of descriptor.fields) {
        if (this.full) break;
        this.field(f, read(f.jsName), `${path}.${f.name}`);
      }
    }
    this.active.delete(value);
  }

  value(type: TypeDescriptor, value: unknown, path: string): void {
    if (this.full) return;
    switch (type.kind) {
      case "bool":
        if (typeof value !== "boolean") this.report(path, `expected boolean, got ${describe(value)}`);
        return;
      case "i8":
      case "i16":
      case "i32": {
        const [min, max] = intRanges[type.kind];
        if (typeof value !== "number") this.report(path, `expected ${type.kind} (a number), got ${describe(value)}`);
        else if (!Number.isInteger(value) || value < min || value > max) {
          this.report(path, `expected ${type.kind} (an integer in ${min}..${max}), got ${value}`);
        }
        return;
      }
      case "double":
        if (typeof value !== "number") this.report(path, `expected double (a number), got ${describe(value)}`);
        return;
      case "i64":
        this.i64(type.repr, value, path);
        return;
      case "string":
        if (typeof value !== "string") this.report(path, `expected string, got ${describe(value)}`);
        return;
      case "uuid":
        if (typeof value !== "string") this.report(path, `expected uuid (a string), got ${describe(value)}`);
        else if (!uuidPattern.test(value)) this.report(path, `expected uuid (8-4-4-4-12 hex digits), got ${JSON.stringify(value)}`);
        return;
      case "binary":
        if (!(value instanceof Uint8Array)) this.report(path, `expected binary (a Uint8Array), got ${describe(value)}`);
        return;
      case "enum":
        if (typeof value !== "number" || !Object.values(type.enum.values).includes(value)) {
          this.report(path, `expected a value of enum ${type.enum.name}, got ${typeof value === "number" ? value : describe(value)}`);
        }
        return;
      case "list":
        if (!Array.isArray(value)) {
          this.report(path, `expected list (an Array), got ${describe(value)}`);
          return;
        }
        value.forEach((element, index) => this.value(type.element, element, `${path}[${index}]`));
        return;
      case "set":
        if (!(value instanceof Set)) {
          this.report(path, `expected set (a Set), got ${describe(value)}`);
          return;
        }
        [...value].forEach((element, index) => this.value(type.element, element, `${path}[${index}]`));
        return;
      case "map":
        if (!(value instanceof Map)) {
          this.report(path, `expected map (a Map), got ${describe(value)}`);
          return;
        }
        [...value].forEach(([key, entry], index) => {
          this.value(type.key, key, `${path}.<key ${index}>`);
          this.value(type.value, entry, `${path}[${keyText(key, index)}]`);
        });
        return;
      case "struct":
        this.struct(type.struct(), value, path);
        return;
    }
  }

  private i64(repr: "bigint" | "number" | "string", value: unknown, path: string): void {
    switch (repr) {
      case "bigint":
        if (typeof value !== "bigint") this.report(path, `expected i64 (a bigint), got ${describe(value)}`);
        else if (value < minI64 || value > maxI64) this.report(path, `expected i64 (a signed 64-bit integer), got ${value}n`);
        return;
      case "number":
        if (typeof value !== "number") this.report(path, `expected i64 (a number), got ${describe(value)}`);
        else if (!Number.isSafeInteger(value)) this.report(path, `expected i64 (a safe integer number), got ${value}`);
        return;
      case "string":
        if (typeof value !== "string") this.report(path, `expected i64 (a decimal string), got ${describe(value)}`);
        else if (!/^-?\d{1,19}$/.test(value) || BigInt(value) < minI64 || BigInt(value) > maxI64) {
          this.report(path, `expected i64 (a decimal string of a signed 64-bit integer), got ${JSON.stringify(value)}`);
        }
        return;
    }
  }
}

/** How a map key appears in a path: `["a"]`, `[3]`, or its position for keys without a short text. */
function keyText(key: unknown, index: number): string {
  if (typeof key === "string") return JSON.stringify(key);
  if (typeof key === "number" || typeof key === "boolean" || typeof key === "bigint") return String(key);
  return `<key ${index}>`;
}

/** The kind of a value, in the words a TypeScript user would use. */
function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (value instanceof Map) return "Map";
  if (value instanceof Set) return "Set";
  if (value instanceof Uint8Array) return "Uint8Array";
  return typeof value;
}
