/**
 * The one place that decides whether an IDL name can be used as-is in generated
 * TypeScript, and what it becomes when it cannot. Thrift accepts names that
 * JavaScript reserves (`delete`, `typeof`), names of globals the generated code
 * relies on (`Promise`, `Map`, `Error`) and names with special meaning on objects
 * (`__proto__`, `constructor`); each has a rule here, and templates never
 * improvise names.
 */
import { stringLiteral } from "./layout/literals.js";

/** Words that can never name a binding in an ES module or a TypeScript declaration. */
const reservedWords = new Set([
  // ECMAScript reserved words
  "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do",
  "else", "enum", "export", "extends", "false", "finally", "for", "function", "if", "import", "in",
  "instanceof", "new", "null", "return", "super", "switch", "this", "throw", "true", "try",
  "typeof", "var", "void", "while", "with",
  // strict mode and module code
  "implements", "interface", "let", "package", "private", "protected", "public", "static", "yield",
  "await", "arguments", "eval",
  // TypeScript predefined type names (cannot name an interface, class or type alias)
  "any", "unknown", "never", "number", "string", "boolean", "bigint", "symbol", "object",
  "undefined", "intrinsic",
  // TypeScript contextual keywords that are awkward as declaration names
  "type", "namespace", "module", "declare", "abstract", "as", "asserts", "async", "is", "keyof",
  "readonly", "infer", "unique", "satisfies", "accessor", "global", "require",
]);

/**
 * Globals that generated code refers to by name (types and values), or that a
 * module-level declaration must not shadow. A top-level IDL name equal to one of
 * them is escaped so the generated file keeps meaning the built-in.
 */
const shadowedGlobals = new Set([
  "Array", "ArrayBuffer", "BigInt", "Boolean", "Date", "Error", "Function", "Infinity", "JSON",
  "Map", "Math", "NaN", "Number", "Object", "Omit", "Partial", "Pick", "Promise", "PromiseLike",
  "Readonly", "ReadonlyArray", "Record", "Reflect", "RegExp", "Required", "Set", "String",
  "Symbol", "TextEncoder", "TypeError", "Uint8Array", "WeakMap", "globalThis",
]);

/**
 * Instance members of `Error` (and of every object) that a generated exception
 * class inherits; a field with one of these names cannot be a plain class field.
 */
const exceptionMemberNames = new Set([
  "name", "message", "stack", "cause", "constructor", "toString", "toLocaleString", "valueOf",
  "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable", "__proto__", "__defineGetter__",
  "__defineSetter__", "__lookupGetter__", "__lookupSetter__",
]);

const identifierPattern = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** True when `name` is syntactically an identifier (it may still be reserved). */
export function isIdentifierName(name: string): boolean {
  return identifierPattern.test(name);
}

/** True when `name` can be declared as a module-level or local binding unchanged. */
export function isSafeBindingName(name: string): boolean {
  return isIdentifierName(name) && !reservedWords.has(name) && !shadowedGlobals.has(name);
}

/** `name` with characters an identifier cannot hold (Thrift allows `.`) replaced by `_`. */
export function identifierChars(name: string): string {
  return name.replace(/[^A-Za-z0-9_$]/g, "_").replace(/^(?=[0-9])/, "_");
}

/**
 * The binding name to try first for an IDL name: characters JavaScript does not
 * allow (Thrift permits `.` inside names) become `_`, and a reserved or shadowed
 * name gets a trailing `_`. Uniqueness is the caller's job (see NameScope).
 */
export function bindingCandidate(name: string): string {
  const cleaned = identifierChars(name);
  return isSafeBindingName(cleaned) ? cleaned : `${cleaned}_`;
}

/**
 * The JavaScript property name for a struct or union field. Only `__proto__`
 * must change: an object literal `{ __proto__: x }` sets the prototype instead
 * of a property. Reserved words are fine as property names.
 */
export function fieldPropertyCandidate(name: string): string {
  return name === "__proto__" ? "__proto___" : name;
}

/**
 * The property name for a field of a generated exception class, which inherits
 * from `Error`: fields that would collide with an inherited member are renamed,
 * except a `message` field of type string, which simply is the error's message.
 */
export function exceptionPropertyCandidate(name: string, isStringMessage: boolean): string {
  if (name === "message" && isStringMessage) return name;
  return exceptionMemberNames.has(name) ? `${name}_` : name;
}

/**
 * The property name for a service method on the generated client class and on
 * handler objects: a class cannot have a method named `constructor`, and
 * `__proto__` would not define an own method.
 */
export function methodPropertyCandidate(name: string): string {
  return name === "constructor" || name === "__proto__" ? `${name}_` : name;
}

/** `key` as an object-literal key or type member name: bare when possible, quoted otherwise. */
export function propertyKey(key: string): string {
  if (key === "__proto__") return '["__proto__"]';
  return isIdentifierName(key) ? key : stringLiteral(key);
}

/** `target.key`, or `target["key"]` when `key` is not an identifier or is `__proto__`. */
export function propertyAccess(target: string, key: string): string {
  return isIdentifierName(key) && key !== "__proto__" ? `${target}.${key}` : `${target}[${stringLiteral(key)}]`;
}

/** `name` as a TypeScript enum member name: bare when an identifier, quoted otherwise. */
export function enumMemberKey(name: string): string {
  return isIdentifierName(name) && name !== "__proto__" ? name : stringLiteral(name);
}
