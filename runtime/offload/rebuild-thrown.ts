import type { MethodDescriptor, StructDescriptor } from "../descriptor.js";
import { isCode, RpcError } from "../errors.js";
import type { ThrownValue } from "./thrown-value.js";

interface DeclaredException {
  readonly struct: StructDescriptor;
  readonly exceptionClass: new (fields: any) => Error;
  /** The IDL name, which generated classes also use as their `name`. */
  readonly idlName: string;
}

const declaredCache = new WeakMap<MethodDescriptor, readonly DeclaredException[]>();

function declaredExceptions(method: MethodDescriptor): readonly DeclaredException[] {
  let cached = declaredCache.get(method);
  if (cached === undefined) {
    const found: DeclaredException[] = [];
    for (const field of method.result.fields) {
      if (field.id === 0 || field.type.kind !== "struct") continue;
      const struct = field.type.struct();
      if (struct.kind !== "exception" || struct.exceptionClass === undefined) continue;
      found.push({ struct, exceptionClass: struct.exceptionClass, idlName: struct.name.slice(struct.name.lastIndexOf(".") + 1) });
    }
    declaredCache.set(method, found);
    cached = found;
  }
  return cached;
}

/**
 * Turns what a worker reported as thrown back into what the dispatch expects:
 * an exception `method` declares as an instance of its generated class (found by
 * class name, else by IDL name, and built from the descriptor's fields, as a
 * codec would); an RpcError as an RpcError with its code; anything else as an
 * Error carrying the worker's name, message and stack, for the server's log.
 */
export function rebuildThrown(method: MethodDescriptor, thrown: ThrownValue): Error {
  const declared = declaredExceptions(method);
  const match =
    declared.find((candidate) => candidate.exceptionClass.name === thrown.className) ??
    declared.find((candidate) => candidate.idlName === thrown.name);
  if (match !== undefined) return buildDeclared(match, thrown);
  if (thrown.name === "RpcError" && isCode(thrown.fields["code"])) {
    const error = new RpcError(thrown.fields["code"], thrown.message);
    if (thrown.stack !== undefined) error.stack = thrown.stack;
    return error;
  }
  const error = new Error(thrown.message);
  error.name = thrown.name;
  if (thrown.stack !== undefined) error.stack = thrown.stack;
  return error;
}

function buildDeclared(declared: DeclaredException, thrown: ThrownValue): Error {
  const fields: Record<string, unknown> = {};
  for (const field of declared.struct.fields) {
    const value = field.jsName === "message" && !(field.jsName in thrown.fields) ? thrown.message : thrown.fields[field.jsName];
    if (value !== undefined) fields[field.jsName] = value;
  }
  return new declared.exceptionClass(fields);
}
